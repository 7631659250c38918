#!/usr/bin/env python3
"""Many server-sent-event subscribers at once, and how soon each hears of a write.

Opens SUBSCRIBERS connections to GET /v1/changes (Accept: text/event-stream) on 127.0.0.1:PORT,
waits until every one has its stream's first line, then makes WRITES writes (one quote each,
its text carrying a probe number) at RATE a second from a thread of their own, noting when each
was acknowledged. Each subscriber notes when each probe arrives. Prints how many subscribers
connected, how many (subscriber, write) pairs arrived, and the delay from acknowledgement to
arrival: p50, p99, max. Stops by itself.

Usage: sse.py PORT TOKEN SUBSCRIBERS WRITES RATE
"""
import asyncio
import http.client
import json
import re
import sys
import threading
import time

port, token = int(sys.argv[1]), sys.argv[2]
subscribers, writes, rate = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
acknowledged = {}
arrivals = []
probe = re.compile(rb"sse-probe-(\d+)-")


def writer():
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    for n in range(writes):
        started = time.monotonic()
        connection.request("POST", "/v1/quotes", json.dumps({"text": "sse-probe-%d- a quote to follow" % n, "language": "en"}), headers)
        response = connection.getresponse()
        response.read()
        acknowledged[n] = time.monotonic()
        if response.status != 201:
            print("write %d failed: %d" % (n, response.status))
        time.sleep(max(0, 1 / rate - (time.monotonic() - started)))


async def subscribe(ready, results):
    reader, writer_ = await asyncio.open_connection("127.0.0.1", port)
    writer_.write(b"GET /v1/changes?type=quote HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n")
    await writer_.drain()
    seen = set()
    tail = b""
    first = True
    try:
        while len(seen) < writes:
            data = await reader.read(65536)
            if not data:
                break
            now = time.monotonic()
            if first:
                first = False
                ready.append(1)
            for match in probe.finditer(tail + data):
                n = int(match.group(1))
                if n not in seen:
                    seen.add(n)
                    results.append((n, now))
            tail = data[-64:]
    finally:
        writer_.close()


async def main():
    ready, results = [], []
    tasks = [asyncio.create_task(subscribe(ready, results)) for _ in range(subscribers)]
    deadline = time.monotonic() + 30
    while len(ready) < subscribers and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    print("subscribers connected: %d of %d" % (len(ready), subscribers), flush=True)
    sys.stdout.flush()
    await asyncio.sleep(1)
    print("RSS-MARK connected", flush=True)
    await asyncio.sleep(1)
    thread = threading.Thread(target=writer)
    thread.start()
    await asyncio.wait(tasks, timeout=writes / rate + 15)
    thread.join()
    for task in tasks:
        task.cancel()
    delays = sorted((at - acknowledged[n]) * 1000 for n, at in results if n in acknowledged)
    expected = len(ready) * writes
    print("arrived: %d of %d (subscriber, write) pairs" % (len(delays), expected))
    if delays:
        pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
        print("delay from acknowledgement to arrival: p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (pick(0.5), pick(0.99), delays[-1]))


asyncio.run(main())
