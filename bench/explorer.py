#!/usr/bin/env python3
"""How long each explorer view takes to become interactive in headless Chromium.

Interactive: the view's first data is on screen (`main[aria-busy=false]` with the view's name),
timed from the navigation's start by the page's own clock (performance.now()). Each view is
opened on a record not opened before in the run (so the server answers it for the first time),
first in a fresh browser (nothing cached: every module fetched) and then ROUNDS times in a warm
one (modules revalidated with 304s). Prints the cold time and the median and worst of the warm
ones per view, in milliseconds.

Usage: bench/explorer.py --base-url URL --event-ids FILE --search-words FILE [--rounds N]
"""
import argparse
import json
import shutil
import random
import statistics
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

WAIT_READY = """
const [view, done] = arguments;
const start = performance.now();
function check() {
  const main = document.getElementById('main');
  if (main && main.getAttribute('aria-busy') === 'false' && main.dataset.view === view) {
    done({ready: performance.now(), dom: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? null});
  } else if (performance.now() - start > 20000) {
    done({ready: null, view: main && main.dataset.view, busy: main && main.getAttribute('aria-busy')});
  } else {
    requestAnimationFrame(check);
  }
}
check();
"""


def browser():
    options = Options()
    # Debian's chromium and chromedriver, named outright: left to itself Selenium would try to download a browser.
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))
    driver.set_script_timeout(30)
    return driver


def api(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return json.load(response)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--event-ids", required=True)
    parser.add_argument("--search-words", required=True)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    rng = random.Random(7)
    events = [line.strip() for line in open(args.event_ids) if line.strip()]
    words = [line.strip() for line in open(args.search_words) if line.strip()]
    actors = [a["slug"] for a in api(base, "/v1/actors?limit=500&fields=slug")["data"]]
    source = api(base, "/v1/sources?limit=1&fields=id")["data"][0]["id"]

    # Each entry: a view's name and a function giving a fresh path for it.
    views = [
        ("timeline", lambda: "/explore/timeline?from=%d&to=%d" % ((y := rng.randrange(1990, 2024)), y)),
        ("timeline", lambda: "/explore/timeline?actor=" + rng.choice(actors)),
        ("event", lambda: "/explore/events/" + rng.choice(events)),
        ("actor", lambda: "/explore/actors/" + rng.choice(actors)),
        ("quotes", lambda: "/explore/quotes?q=" + rng.choice(words)),
        ("search", lambda: "/explore/search?q=" + rng.choice(words)),
        ("sources", lambda: "/explore/sources"),
        ("source", lambda: "/explore/sources/" + source),
    ]
    labels = ["timeline (a year)", "timeline (an actor)", "event", "actor", "quotes (search)", "search", "sources", "source (cited by every quote)"]

    print("%-30s %8s %12s %10s" % ("view", "cold ms", "warm median", "warm max"))
    failures = 0
    for (view, path_for), label in zip(views, labels):
        cold_driver = browser()
        try:
            cold_driver.get(base + path_for())
            cold = cold_driver.execute_async_script(WAIT_READY, view)
        finally:
            cold_driver.quit()
        warm_driver = browser()
        warm = []
        try:
            warm_driver.get(base + "/explore/sources")  # modules cached once
            warm_driver.execute_async_script(WAIT_READY, "sources")
            for _ in range(args.rounds):
                path = path_for()
                warm_driver.get(base + path)
                result = warm_driver.execute_async_script(WAIT_READY, view)
                if result["ready"] is None:
                    print("  %s never became ready: %s" % (path, result), file=sys.stderr)
                    failures += 1
                else:
                    warm.append(result["ready"])
        finally:
            warm_driver.quit()
        cold_text = "%.0f" % cold["ready"] if cold["ready"] is not None else "never"
        if warm:
            print("%-30s %8s %12.0f %10.0f" % (label, cold_text, statistics.median(warm), max(warm)))
        else:
            print("%-30s %8s %12s %10s" % (label, cold_text, "-", "-"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
