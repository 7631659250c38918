#!/usr/bin/env python3
"""A steady stream of writes beside a read load, for bench/api.sh's mixed runs.

Sends RATE writes a second for SECONDS seconds to 127.0.0.1:PORT: quotes created and edited
(their text made of the bench's search words, so that writes touch what is searched), and once a
second a rename of one actor (the most-quoted, or the one named). Prints the writes acknowledged,
failed, their p50/p99 latency and the renames' median latency. Stops by itself.

Usage: writer.py PORT TOKEN SECONDS RATE ACTOR_ID QUOTE_IDS_FILE SEARCH_WORDS_FILE
"""
import http.client
import json
import random
import sys
import time

port, token, seconds, rate = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
actor_id, quote_file, words_file = sys.argv[5], sys.argv[6], sys.argv[7]
quote_ids = [line.strip() for line in open(quote_file) if line.strip()]
words = [line.strip() for line in open(words_file) if line.strip()]
random.seed(7)
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}


def send(method, path, body):
    global connection
    started = time.monotonic()
    try:
        connection.request(method, path, json.dumps(body), headers)
        response = connection.getresponse()
        payload = response.read()
        status = response.status
    except (http.client.HTTPException, OSError):
        connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status, payload = 0, b""
    return status, payload, time.monotonic() - started


def text():
    return " ".join(random.choice(words) for _ in range(12))


latencies, renames, failed, created = [], [], 0, []
start = time.monotonic()
interval = 1.0 / rate
next_rename = start + 1.0
sent = 0
while time.monotonic() - start < seconds:
    now = time.monotonic()
    if now >= next_rename:
        next_rename += 1.0
        status, _, elapsed = send("PATCH", "/v1/actors/" + actor_id, {"name": "Renamed Actor %d" % len(renames)})
        renames.append(elapsed)
        latencies.append(elapsed)
        failed += status != 200
    elif random.random() < 0.4:
        status, payload, elapsed = send("POST", "/v1/quotes", {"text": text(), "language": "en"})
        latencies.append(elapsed)
        if status == 201:
            created.append(json.loads(payload)["id"])
        else:
            failed += 1
    else:
        target = random.choice(created) if created and random.random() < 0.3 else random.choice(quote_ids)
        status, _, elapsed = send("PATCH", "/v1/quotes/" + target, {"text": text()})
        latencies.append(elapsed)
        failed += status != 200
    sent += 1
    # Paced from the start, so that a slow write is caught up, not dropped.
    delay = start + sent * interval - time.monotonic()
    if delay > 0:
        time.sleep(delay)

elapsed = time.monotonic() - start
latencies.sort()
renames.sort()
def ms(values, q):
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else 0.0
print("writes: %d in %.1f s (%.1f/s), %d failed, p50 %.1f ms, p99 %.1f ms; %d renames, median %.1f ms, max %.1f ms"
      % (len(latencies), elapsed, len(latencies) / elapsed, failed, ms(latencies, 0.5), ms(latencies, 0.99),
         len(renames), ms(renames, 0.5), (renames[-1] * 1000 if renames else 0.0)))
