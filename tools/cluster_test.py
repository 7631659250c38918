#!/usr/bin/env python3
"""The HTTP half of tools/cluster-test.sh: checks through nginx and each instance, and a load
generator. Standard library only. Each check prints `PASS name: detail` or `FAIL name: detail`;
the exit status is the number of failures (capped at 100).

    cluster_test.py checks NGINX I1 I2 TOKEN
    cluster_test.py load NGINX TOKEN SECONDS CLIENTS OUT.json
    cluster_test.py verify NAME NGINX OUT.json [--allow-get-failures N]
    cluster_test.py standby-reads I1 I2            # prints reads sent to the standby, both instances
    cluster_test.py lagging NGINX I1 I2 TOKEN      # with the replica's replay paused
    cluster_test.py after-restart NGINX TOKEN
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

POSITION = "Chronicle-Position"
failures = 0


def report(ok, name, detail=""):
    global failures
    if not ok:
        failures += 1
    print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)
    return ok


def request(base, method, path, body=None, token=None, headers=None, timeout=10):
    """(status, headers with lower-case names, parsed JSON or None); status 0 when the
    connection failed."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        raw = response.read()
        received = {}
        for name, value in response.getheaders():
            received.setdefault(name.lower(), value)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, received, parsed
    except (OSError, http.client.HTTPException) as error:
        return 0, {"error": repr(error)}, None
    finally:
        connection.close()


def ids(reply):
    return [item.get("id") for item in (reply or {}).get("data", [])]


def checks(nginx, first, second, token):
    # The API through nginx.
    status, _, _ = request(nginx, "GET", "/healthz")
    report(status == 200, "nginx: /healthz", f"status {status}")
    status, _, _ = request(nginx, "GET", "/readyz")
    report(status == 200, "nginx: /readyz", f"status {status}")
    status, _, page = request(nginx, "GET", "/v1/events?limit=5")
    report(status == 200 and len(ids(page)) == 5, "nginx: list a page of events", f"status {status}, {len(ids(page))} events")
    status, _, found = request(nginx, "GET", "/v1/search?q=Lukashenko")
    report(status == 200 and len(ids(found)) > 0, "nginx: search", f"status {status}, {len(ids(found))} hits")
    status, _, _ = request(nginx, "POST", "/v1/actors", {"kind": "person", "name": "No Token"})
    report(status == 401, "nginx: a write without a token is refused", f"status {status}")
    status, head, actor = request(nginx, "POST", "/v1/actors", {"kind": "person", "name": "Through Nginx"}, token)
    ok = status == 201 and actor is not None
    if ok:
        at = {POSITION: head.get(POSITION.lower(), "")}
        s1, h1, got = request(nginx, "GET", f"/v1/actors/{actor['id']}", headers=at)
        s2, h2, patched = request(nginx, "PATCH", f"/v1/actors/{actor['id']}", {"description": "patched"}, token,
                                  {"If-Match": h1.get("etag", "")})
        s3, _, _ = request(nginx, "DELETE", f"/v1/actors/{actor['id']}", token=token, headers={"If-Match": h2.get("etag", "")})
        s4, _, _ = request(nginx, "GET", f"/v1/actors/{actor['id']}", headers={POSITION: h2.get(POSITION.lower(), "")})
        ok = (s1, s2, s3, s4) == (200, 200, 204, 410) and (patched or {}).get("description") == "patched"
        report(ok, "nginx: create, read, patch (If-Match), delete, then 410", f"statuses {s1} {s2} {s3} {s4}")
    else:
        report(False, "nginx: create, read, patch (If-Match), delete, then 410", f"create: status {status}")

    # What one instance writes, the other reads: the record, a list page, a search.
    status, head, actor = request(first, "POST", "/v1/actors", {"kind": "person", "name": "Zygmunt Crossinstance"}, token)
    position = head.get(POSITION.lower())
    report(status == 201 and bool(position), "a write's response carries its position", f"status {status}, {POSITION}: {position}, "
           f"cookie: {head.get('set-cookie', '')[:60]}")
    if status == 201:
        at = {POSITION: position or ""}
        s1, _, got = request(second, "GET", f"/v1/actors/{actor['id']}", headers=at)
        s2, _, listed = request(second, "GET", "/v1/actors?sort=-name&limit=5", headers=at)
        s3, _, found = request(second, "GET", "/v1/search?q=Crossinstance", headers=at)
        ok = s1 == 200 and (got or {}).get("name") == "Zygmunt Crossinstance" and actor["id"] in ids(listed) and actor["id"] in ids(found)
        report(ok, "write through one instance, read through the other (record, list, search)", f"statuses {s1} {s2} {s3}")
        s4, h4, _ = request(second, "PATCH", f"/v1/actors/{actor['id']}", {"description": "from the second"}, token)
        s5, _, again = request(first, "GET", f"/v1/actors/{actor['id']}", headers={POSITION: h4.get(POSITION.lower(), "")})
        report(s4 == 200 and s5 == 200 and (again or {}).get("description") == "from the second",
               "and back: patch through the second, read through the first", f"statuses {s4} {s5}")

    # Two same-version PATCHes through different instances: exactly one wins.
    status, head, actor = request(first, "POST", "/v1/actors", {"kind": "person", "name": "Contested Record"}, token)
    outcomes = []
    for round_ in range(5):
        _, h, _ = request(first, "GET", f"/v1/actors/{actor['id']}", headers={POSITION: head.get(POSITION.lower(), "")})
        tag = h.get("etag", "")
        results = {}

        def patch(index, base):
            results[index] = request(base, "PATCH", f"/v1/actors/{actor['id']}", {"description": f"round {round_} by {index}"}, token,
                                     {"If-Match": tag})

        threads = [threading.Thread(target=patch, args=(index, base)) for index, base in enumerate([first, second])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outcomes.append(sorted(r[0] for r in results.values()))
        winner = next((r for r in results.values() if r[0] == 200), None)
        head = winner[1] if winner else head
    report(all(o == [200, 412] for o in outcomes), "cross-instance conflict: of two same-version PATCHes one 200, one 412",
           " ".join("/".join(map(str, o)) for o in outcomes))

    # Read-your-writes through the standby: write through one, read at once through the other
    # with the position (header, then cookie only).
    misses = []
    before = standby_count(second)
    for index in range(20):
        status, head, created = request(first, "POST", "/v1/quotes", {"text": f"read your writes {index}", "language": "en"}, token)
        if status != 201:
            misses.append(f"create {status}")
            continue
        position = head.get(POSITION.lower(), "")
        if index % 2 == 0:
            sent = {POSITION: position}
        else:
            sent = {"Cookie": head.get("set-cookie", "").split(";")[0]}
        s, _, got = request(second, "GET", f"/v1/quotes/{created['id']}", headers=sent)
        if s != 200:
            misses.append(f"read {s}")
    report(not misses, "read-your-writes: 20 writes each read at once through the other instance (header, cookie)",
           (", ".join(misses) or "all seen") + f"; reads on the replica meanwhile: {standby_count(second) - before}"
           f" (its lag: {metric(second, 'chronicle_standby_lag_seconds')} s)")


def metric(base, name):
    """One value from an instance's /metrics, or None."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


def standby_count(*bases):
    """Reads the instances sent to the standby so far, from their /metrics."""
    total = 0
    for base in bases:
        parts = urllib.parse.urlsplit(base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        try:
            connection.request("GET", "/metrics")
            text = connection.getresponse().read().decode()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith('chronicle_standby_reads_total{to="standby"}'):
                total += int(float(line.split()[-1]))
    return total


def load(nginx, token, seconds, clients, out):
    """`clients` threads for `seconds`: each creates an actor, reads it back with its position,
    reads a list page and searches, in turn. Writes the acknowledged ids and the failures."""
    deadline = time.time() + seconds
    lock = threading.Lock()
    acknowledged, get_failures, post_failures, counts = [], [], [], {"GET": 0, "POST": 0}

    def client(number):
        k = 0
        while time.time() < deadline:
            k += 1
            status, head, created = request(nginx, "POST", "/v1/actors", {"kind": "person", "name": f"Load {number} {k}"}, token)
            with lock:
                counts["POST"] += 1
                if 200 <= status < 300:
                    acknowledged.append((created["id"], head.get(POSITION.lower(), "")))
                else:
                    post_failures.append(status)
            targets = ["/v1/events?limit=20", f"/v1/search?q=Load%20{number}"]
            headers = {}
            if 200 <= status < 300:
                targets.insert(0, f"/v1/actors/{created['id']}")
                headers = {POSITION: head.get(POSITION.lower(), "")}
            for target in targets:
                s, h, _ = request(nginx, "GET", target, headers=headers)
                with lock:
                    counts["GET"] += 1
                    if s != 200:
                        get_failures.append(f"{target} -> {s} {h.get('error', '')}".strip())

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open(out, "w") as file:
        json.dump({"acknowledged": acknowledged, "get_failures": get_failures, "post_failures": post_failures, "counts": counts}, file)


def verify(name, nginx, out, allowed_get_failures=0):
    with open(out) as file:
        result = json.load(file)
    lost = []
    for record_id, position in result["acknowledged"]:
        status, _, _ = request(nginx, "GET", f"/v1/actors/{record_id}", headers={POSITION: position})
        if status != 200:
            lost.append(f"{record_id} ({status})")
    counts = result["counts"]
    report(not lost and result["acknowledged"], f"{name}: no acknowledged write lost",
           f"{len(result['acknowledged'])} acknowledged of {counts['POST']} POSTs "
           f"({len(result['post_failures'])} refused or cut off: {sorted(set(result['post_failures']))}), "
           f"{len(lost)} unreadable {lost[:5]}")
    failed = result["get_failures"]
    report(len(failed) <= allowed_get_failures, f"{name}: no GET failed", f"{len(failed)} of {counts['GET']} GETs failed {failed[:5]}")


def lagging(nginx, first, second, token):
    """The replica's replay is paused: a write, then, past the lag limit (1 s in the test),
    reads without a position must see it (they go to the primary)."""
    status, _, created = request(nginx, "POST", "/v1/actors", {"kind": "person", "name": "Written While Lagging"}, token)
    time.sleep(1.6)
    seen = [request(base, "GET", f"/v1/actors/{(created or {}).get('id', 'x')}")[0] for base in (first, second)]
    lag = None
    _, _, _ = request(second, "GET", "/healthz")
    parts = urllib.parse.urlsplit(second)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("GET", "/metrics")
    for line in connection.getresponse().read().decode().splitlines():
        if line.startswith("chronicle_standby_lag_seconds "):
            lag = float(line.split()[-1])
    report(status == 201 and seen == [200, 200] and lag is not None and lag > 1,
           "replica lagging past the limit: skipped, reads without a position see a new write",
           f"write {status}, reads {seen}, lag gauge {lag}")


def after_restart(nginx, token):
    started = time.time()
    status, head, created = request(nginx, "POST", "/v1/actors", {"kind": "person", "name": "After Restart"}, token)
    s2, _, _ = request(nginx, "GET", f"/v1/actors/{(created or {}).get('id', 'x')}", headers={POSITION: head.get(POSITION.lower(), "")})
    s3, _, _ = request(nginx, "GET", "/v1/events?limit=5")
    report((status, s2, s3) == (201, 200, 200), "primary restarted: the next write and reads succeed (pools reconnect)",
           f"statuses {status} {s2} {s3} in {time.time() - started:.2f} s")


def main(argv):
    command, args = argv[1], argv[2:]
    if command == "checks":
        checks(*args)
    elif command == "load":
        load(args[0], args[1], float(args[2]), int(args[3]), args[4])
    elif command == "verify":
        verify(args[0], args[1], args[2], int(args[4]) if len(args) > 4 and args[3] == "--allow-get-failures" else 0)
    elif command == "standby-reads":
        print(standby_count(*args))
    elif command == "lagging":
        lagging(*args)
    elif command == "after-restart":
        after_restart(*args)
    else:
        raise SystemExit(__doc__)
    return min(failures, 100)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
