#!/usr/bin/env python3
"""Real-browser acceptance tests of the explorer (issue 21), run by tools/browser-test.sh.

Headless Chromium through Selenium against a live server holding the built-in dataset. Every test
gets a fresh browser, reads what it expects from the API itself (never a hard-coded id), and prints
one PASS/FAIL line; the run exits 1 when any test fails.

  python3 tools/browser_test.py --base-url http://127.0.0.1:PORT --token TOKEN --screenshots DIR

What the tests rely on in the page (the explorer keeps these stable for them):
- <main id="main" data-view="VIEW" aria-busy="true|false">: VIEW is timeline, actors, actor, event,
  quotes, search, sources, source, edit, history or not-found; aria-busy is "false" once the view's
  first data is drawn. One <h1> per view; document.title is "<h1> · Chronicle".
- <html data-live="on"> while the change feed (GET /v1/changes) is open, "off" when it is closed.
- Every record in a list is an element with data-id and data-kind (event, actor, quote, source)
  holding a link to its page; lists show one cursor page and a button.load-more while there is more.
- Timeline: form#timeline-filters, zoom control #zoom (zoom= in the URL), SVG #timeline-chart with a
  <g data-id data-kind=event><rect> per event and its axis labels as <text>, and ol#timeline-list
  of the same events with their dates in <time>.
- Actor: .description, #aliases (with lang), a#wikidata, #actor-events, #actor-quotes. Event: .dates,
  #participants, #citations (<blockquote> excerpts), #event-quotes. Source: #source-events,
  #source-quotes. Quotes: #quote-filters, #quote-results with <mark>ed matches. Search:
  #search-results with section[data-group=KIND]. History: #revisions, one item per revision, with
  a "Restore…" button on earlier ones when signed in.
- The header: nav[aria-label=Main], form#global-search input#global-search-input, #token-button
  opening dialog#token-dialog (#token-input, #token-save); the token lives in
  sessionStorage["chronicle.token"]. #status[role=status] on every page.
- details.curl code#curl-command: the view's main API request as a curl command, the token as
  $CHRONICLE_TOKEN; button.copy-curl.
- Signed in, record pages have a.edit-link, a.history-link and button.delete-button; deleting asks in
  dialog#confirm-dialog (#confirm-ok) and a 409 shows #delete-blocked[role=alert] with the records
  still referring to it. Forms: form#edit-form[data-kind] with fields named as the API's JSON
  fields (rows as citations[0].sourceId…, added by an "Add citation" button), .field-error slots
  #error-NAME, #form-errors, button#save; a 412 shows #conflict[role=alert] with button#conflict-reload.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
import unicodedata
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = ""
TOKEN = ""
SHOTS = ""
WAIT = 10  # seconds for a view to render
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]


class Failure(Exception):
    pass


class Test:
    """What one test found: `check` notes a problem and goes on, `require` stops the test."""

    def __init__(self, name):
        self.name = name
        self.problems = []
        self.notes = []

    def check(self, cond, msg):
        if not cond:
            self.problems.append(msg)
        return bool(cond)

    def require(self, cond, msg):
        if not cond:
            raise Failure(msg)

    def note(self, msg):
        self.notes.append(msg)


# ---------------------------------------------------------------- the API, through urllib

class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name)


def http(path, method="GET", body=None, token=False, accept="application/json", headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Accept", accept)
    if body is not None:
        req.add_header("Content-Type", "application/merge-patch+json" if method == "PATCH" else "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + TOKEN)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            raw, status, hdrs = r.read(), r.status, r.headers
    except urllib.error.HTTPError as e:
        raw, status, hdrs = e.read(), e.code, e.headers
    text = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = text
    return Answer(status, hdrs, parsed)


def api(path, **kw):
    """GET (or another method) that must succeed; returns the JSON body."""
    a = http(path, **kw)
    if a.status >= 300:
        detail = a.body.get("detail") if isinstance(a.body, dict) else a.body
        errs = a.body.get("errors") if isinstance(a.body, dict) else None
        raise Failure(f"API {kw.get('method', 'GET')} {path} answered {a.status}: {detail} {errs or ''}".strip())
    return a.body


def q(**params):
    return urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})


def first_page(path):
    """The ids of the first page of a list (limit 50, the most the explorer asks for), and its `next`."""
    sep = "&" if "?" in path else "?"
    body = api(f"{path}{sep}limit=50")
    return [r["id"] for r in body["data"]], body.get("next")


def everything(kind):
    out, cursor = [], None
    while True:
        body = api(f"/v1/{kind}?" + q(limit=500, cursor=cursor))
        out += body["data"]
        cursor = body.get("next")
        if not cursor:
            return out


# ---------------------------------------------------------------- picking data from the API

def actors_with_description():
    return [a for a in everything("actors") if a.get("description")]


def rich_actor():
    """The actor with the most aliases (scripts), then the most events."""
    actors = everything("actors")
    return max(actors, key=lambda a: (len(a["aliases"]), len({x.get("language") for x in a["aliases"]})))


def rich_event():
    """An event with participants, citations with excerpts and quotes, as the API gives it."""
    events = everything("events")
    quoted = {}
    for qu in everything("quotes"):
        if qu.get("eventId"):
            quoted[qu["eventId"]] = quoted.get(qu["eventId"], 0) + 1
    best = max(events, key=lambda e: (min(len(e["participants"]), 3) + min(quoted.get(e["id"], 0), 2) * 2
                                      + sum(1 for c in e["citations"] if c.get("excerpt"))))
    return api(f"/v1/events/{best['id']}")


def cited_source():
    counts = {}
    for rec in everything("events") + everything("quotes"):
        for c in rec["citations"]:
            counts[c["sourceId"]] = counts.get(c["sourceId"], 0) + 1
    sources = everything("sources")
    return max(sources, key=lambda s: counts.get(s["id"], 0))


def words(text):
    return re.findall(r"[^\W\d_]+", text)


def quote_word():
    """(quote, word): a quote with a speaker and a long word of it that the API's search finds."""
    quotes = everything("quotes")
    quotes.sort(key=lambda x: x.get("speaker") is None)
    for qu in quotes:
        for w in sorted(set(words(qu["text"])), key=len, reverse=True):
            if len(w) < 5:
                continue
            found = [r["id"] for r in api("/v1/quotes?" + q(q=w, limit=50))["data"]]
            if qu["id"] in found:
                return qu, w
    raise Failure("no quote has a word the API's search finds")


def timeline_actor():
    """An actor whose events are some but not all of the events (from the API's own index link if any)."""
    total = len(everything("events"))
    index = http("/", accept="application/json").body
    link = (index or {}).get("links", {}).get("timeline", "") if isinstance(index, dict) else ""
    m = re.search(r"actor=([^&]+)", link)
    candidates = [urllib.parse.unquote(m.group(1))] if m else []
    candidates += [a["slug"] for a in everything("actors")]
    for slug in candidates:
        n = len(api("/v1/events?" + q(actor=slug, limit=500))["data"])
        if 0 < n < total:
            return slug
    raise Failure("no actor filters the events")


def strip_accents(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def norm(s):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s or "")).strip()


def fold(s):
    return strip_accents(norm(s)).casefold()


def unquote_marks(s):
    return norm(s).strip("\"'“”‘’«»„ ")


# ---------------------------------------------------------------- the browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def new_driver():
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
              "--lang=en-GB", "--hide-scrollbars", "--disable-gpu", "--no-first-run",
              "--disable-background-networking", "--disable-extensions"):
        o.add_argument(a)
    o.add_experimental_option("prefs", {"intl.accept_languages": "en-GB,en"})
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # chromedriver's own wait for a page load never ends (and then aborts the navigation) now and then
    # while the page holds a streaming fetch such as the explorer's /v1/changes: navigations here do not
    # wait for the load, and `load` waits for the new document and the view instead.
    o.page_load_strategy = "none"
    d = webdriver.Chrome(options=o, service=Service(CHROMEDRIVER))
    d.set_page_load_timeout(20)
    d.set_script_timeout(30)
    return d


STATE_JS = """
const m = document.getElementById('main');
return {view: m ? (m.getAttribute('data-view') || '') : null,
        busy: m ? m.getAttribute('aria-busy') : null,
        path: location.pathname, search: location.search,
        h1: [...document.querySelectorAll('h1')].map(e => e.textContent.replace(/\\s+/g, ' ').trim()),
        alerts: [...document.querySelectorAll('[role=alert]')].map(e => e.textContent.replace(/\\s+/g, ' ').trim()).filter(Boolean)};
"""


def state(d):
    try:
        return d.execute_script(STATE_JS)
    except WebDriverException:
        return None


def wait_view(d, view, path=None, extra=None, timeout=WAIT):
    """Waits for <main data-view=view aria-busy=false> at a path (string or regex) with `extra(d)` true."""
    last = {}

    def ready(_):
        s = state(d)
        last["s"] = s
        if not s or s["view"] != view or s["busy"] != "false":
            return False
        if path is not None:
            if isinstance(path, str) and s["path"] != path:
                return False
            if not isinstance(path, str) and not path.fullmatch(s["path"]):
                return False
        return extra(d) if extra else True

    try:
        WebDriverWait(d, timeout, poll_frequency=0.05).until(ready)
    except TimeoutException:
        s = last.get("s") or {}
        want = f"data-view={view} aria-busy=false" + (f" at {path if isinstance(path, str) else path.pattern}" if path else "")
        errors = [e["message"][:200] for e in console_errors(d)][:3]
        raise Failure(f"waited {timeout} s for {want}; saw data-view={s.get('view')!r} aria-busy={s.get('busy')!r} "
                      f"at {s.get('path')}{s.get('search') or ''}, h1={s.get('h1')}, alerts={s.get('alerts')}"
                      + (f", console: {errors}" if errors else ""))
    return last["s"]


def mark_document(d):
    try:
        js(d, "window.__browserTestOldDocument = true")
    except WebDriverException:
        pass


def new_document(d):
    try:
        return js(d, "return !window.__browserTestOldDocument && document.readyState !== 'loading'")
    except WebDriverException:
        return False


def load(d, url):
    """Navigates to BASE+url and waits for the new document (not for the page's load event)."""
    mark_document(d)
    d.get(BASE + url)
    wait_for(d, lambda: new_document(d), f"{url} to load")


def reload(d):
    mark_document(d)
    d.refresh()
    wait_for(d, lambda: new_document(d), "the page to reload")


def open_view(d, url, view, extra=None, **kw):
    """Loads a URL afresh and waits for its view to render."""
    load(d, url)
    return wait_view(d, view, extra=lambda _: new_document(d) and (extra(d) if extra else True), **kw)


def wait_for(d, fn, what, timeout=WAIT):
    try:
        return WebDriverWait(d, timeout, poll_frequency=0.05).until(lambda _: fn())
    except TimeoutException:
        raise Failure(f"waited {timeout} s for {what}")


def js(d, script, *args):
    return d.execute_script(script, *args)


def ids_in(d, selector, kind=None):
    """data-id of the records matching `selector [data-id]` (of one data-kind), in order, without repeats."""
    got = js(d, """
        const [sel, kind] = arguments;
        const root = document.querySelectorAll(sel);
        const out = [];
        for (const r of root) {
          const els = r.matches('[data-id]') ? [r] : [];
          for (const e of [...els, ...r.querySelectorAll('[data-id]')]) {
            if (kind && e.getAttribute('data-kind') !== kind) continue;
            out.push(e.getAttribute('data-id'));
          }
        }
        return out;""", selector, kind)
    seen, out = set(), []
    for i in got:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out, len(got) != len(out)


def text_of(d, selector):
    return js(d, "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector)


def h1(d):
    hs = js(d, "return [...document.querySelectorAll('h1')].map(e => e.textContent)")
    return norm(hs[0]) if hs else None


def click(d, el):
    js(d, "arguments[0].scrollIntoView({block: 'center'})", el)
    try:
        el.click()
    except WebDriverException:
        js(d, "arguments[0].click()", el)


def link_to(d, container, path_re):
    """The first <a> inside `container` whose pathname matches path_re."""
    return js(d, """
        const [sel, re] = arguments; const c = document.querySelector(sel); if (!c) return null;
        return [...c.querySelectorAll('a[href]')].find(a => new RegExp(re).test(a.pathname)) || null;""",
              container, path_re)


def paths_of_links(d, container):
    return js(d, """const c = document.querySelector(arguments[0]);
        return c ? [...c.querySelectorAll('a[href]')].map(a => a.pathname) : [];""", container) or []


def same_first_page(t, what, ui, dup, api_ids, nxt, d, ordered=True):
    """The records a list shows are the API's first page: the same ids in the same order (the explorer
    may ask for a smaller page; then a Load more button must be there)."""
    if dup:
        t.check(False, f"{what}: some records are listed twice")
    if not t.check(len(ui) > 0 or not api_ids, f"{what}: no [data-id] records shown; the API has {len(api_ids)}"):
        return False
    head = api_ids[:len(ui)]
    if not t.check(set(ui) == set(head), f"{what}: shows {short(ui)}, the API's first page is {short(api_ids)}"):
        return False
    if ordered:
        t.check(ui == head, f"{what}: the API's records in another order: shows {short(ui, 6)}, the API gives {short(head, 6)}")
    more = js(d, "return !!document.querySelector('#main button.load-more')")
    if len(ui) < len(api_ids) or nxt:
        t.check(more, f"{what}: shows {len(ui)} of more records but has no button.load-more")
    return True


def short(ids, n=4):
    return (f"{ids[:n]}…(+{len(ids) - n})" if len(ids) > n else str(ids))


def sign_in(t, d):
    """Signs in through #token-button / #token-dialog; the token must land in sessionStorage only."""
    button = d.find_element(By.ID, "token-button")
    click(d, button)
    wait_for(d, lambda: js(d, "const g = document.getElementById('token-dialog'); return !!(g && g.open)"),
             "#token-dialog to open")
    field = d.find_element(By.ID, "token-input")
    t.check(field.get_attribute("type") == "password", "#token-input is not type=password")
    field.clear()
    field.send_keys(TOKEN)
    click(d, d.find_element(By.ID, "token-save"))
    wait_for(d, lambda: js(d, "return sessionStorage.getItem('chronicle.token')") == TOKEN,
             "the token in sessionStorage['chronicle.token']")
    wait_for(d, lambda: not js(d, "const g = document.getElementById('token-dialog'); return !!(g && g.open)"),
             "#token-dialog to close", timeout=5)
    t.check(TOKEN not in (js(d, "return JSON.stringify(Object.assign({}, localStorage))") or ""),
            "the token was also written to localStorage")
    label = norm(d.find_element(By.ID, "token-button").text).lower()
    t.check("sign out" in label or "signed in" in label, f"#token-button says {label!r} once signed in")


def set_session_token(d):
    """Signs in without the dialog (the contract's storage key), for tests about other things."""
    js(d, "sessionStorage.setItem('chronicle.token', arguments[0])", TOKEN)


def field(d, name):
    return d.find_element(By.CSS_SELECTOR, f'#edit-form [name="{name}"]')


def type_into(d, el, value):
    click(d, el)
    el.clear()
    el.send_keys(value)
    if el.get_property("value") != value:  # a widget that ignores keys: set it as a script would
        js(d, """arguments[0].value = arguments[1];
                 arguments[0].dispatchEvent(new Event('input', {bubbles: true}));
                 arguments[0].dispatchEvent(new Event('change', {bubbles: true}));""", el, value)


def console_errors(d):
    try:
        return [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]
    except WebDriverException:
        return []


# Whether the explorer marks <html data-live>: unknown until a test has waited for it once. A front
# end that never sets it costs one 5 s wait per run (and the live-update test's own), not one a view.
LIVE_MARKED = None


def live_on(d):
    try:
        return js(d, "return document.documentElement.getAttribute('data-live')") == "on"
    except WebDriverException:
        return False


def wait_live(d, timeout=5):
    """Waits for <html data-live="on">, the change feed open; True once seen, False after timeout."""
    global LIVE_MARKED
    try:
        WebDriverWait(d, timeout, poll_frequency=0.05).until(lambda _: live_on(d))
        LIVE_MARKED = True
        return True
    except TimeoutException:
        if LIVE_MARKED is None:
            LIVE_MARKED = False
        return False


def settled(t, d, where):
    """After a view's first render the explorer opens its change feed: wait for that, so that what it
    logs is the view's. Without data-live (an older front end) there is nothing to wait on."""
    if LIVE_MARKED is False:
        return
    if not wait_live(d, WAIT if LIVE_MARKED else 5):
        if LIVE_MARKED:
            t.check(False, f"{where}: <html data-live> did not become 'on' (the change feed did not open)")
        else:
            t.note("the explorer does not mark <html data-live> yet: views are not waited on for their change feed")


def rand_letters(n=8):
    return "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(n))


def create(kind, body):
    """POSTs a record through the API (with the token); returns it."""
    return api(f"/v1/{kind}", method="POST", token=True, body=body)


def patch(kind, rid, body):
    cur = http(f"/v1/{kind}/{rid}")
    return api(f"/v1/{kind}/{rid}", method="PATCH", token=True, body=body,
               headers={"If-Match": cur.header("ETag")} if cur.header("ETag") else None)


# ---------------------------------------------------------------- the views every tour visits

def tour_stops():
    """(name, path, view, signed_in) of one page of each view, from the API's data."""
    ev = rich_event()
    actor = rich_actor()
    src = cited_source()
    _, word = quote_word()
    return [
        ("timeline", "/", "timeline", False),
        ("actors", "/explore/actors", "actors", False),
        ("actor", f"/explore/actors/{actor['slug']}", "actor", False),
        ("event", f"/explore/events/{ev['id']}", "event", False),
        ("quotes", "/explore/quotes?" + q(q=word), "quotes", False),
        ("search", "/explore/search?" + q(q=actor["name"].split()[-1]), "search", False),
        ("sources", "/explore/sources", "sources", False),
        ("source", f"/explore/sources/{src['id']}", "source", False),
        ("history", f"/explore/events/{ev['id']}/history", "history", False),
        ("edit", f"/explore/events/{ev['id']}/edit", "edit", True),
        ("edit-new", "/explore/new/quote", "edit", True),
        ("not-found", "/explore/no-such-view", "not-found", False),
    ]


def tour(t, d, visit, stops=None, settle=False):
    """Loads each stop afresh and calls visit(name, view) once it has rendered (and, with `settle`,
    once the explorer has opened its change feed after it)."""
    signed = False
    failed = 0
    for name, path, view, needs_token in stops or tour_stops():
        if needs_token and not signed:
            load(d, "/explore")
            set_session_token(d)
            signed = True
        try:
            open_view(d, path, view)
            failed = 0
        except Failure as e:
            t.check(False, f"{name} ({path}): {e}")
            failed += 1
            if failed == 2:
                raise Failure("two views in a row did not render: the rest of the tour was skipped")
            continue
        if settle:
            settled(t, d, f"{name} ({path})")  # what runs right after the first render may log too
        visit(name, path, view)


# ---------------------------------------------------------------- the tests

def test_timeline(t, d):
    """/ is the explorer for a browser and JSON for curl; the timeline lists the API's first page of
    events, dates partial dates honestly, draws them as spans, filters by actor through the URL and
    puts its zoom in the URL."""
    a = http("/", accept="application/json")
    t.check(a.status == 200 and "json" in (a.header("Content-Type") or "") and isinstance(a.body, dict)
            and "links" in a.body, f"GET / with Accept: application/json is not the JSON index "
                                   f"({a.status} {a.header('Content-Type')})")
    a = http("/", accept="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    t.check(a.status == 200 and "text/html" in (a.header("Content-Type") or ""),
            f"GET / with Accept: text/html is not HTML ({a.status} {a.header('Content-Type')})")

    open_view(d, "/", "timeline")
    ui, dup = ids_in(d, "#timeline-list", "event")
    api_ids, nxt = first_page("/v1/events")
    same_first_page(t, "timeline at /", ui, dup, api_ids, nxt, d)
    t.check(js(d, "return document.querySelectorAll('#timeline-list > li[data-id][data-kind=event]').length") > 0,
            "#timeline-list has no <li data-id data-kind=event> children")
    chart, _ = ids_in(d, "#timeline-chart g", "event")
    t.check(set(chart) == set(ui), f"#timeline-chart draws {len(chart)} events (g[data-id][data-kind=event]), "
                                   f"the list has {len(ui)}")

    # Partial dates shown honestly and drawn as the span they may cover.
    events = {e["id"]: e for e in everything("events")}
    shown = [events[i] for i in ui if i in events]

    def pick(cond):
        return next((e for e in shown if cond(e)), None)

    year = pick(lambda e: re.fullmatch(r"\d{4}", e["start"]) and not e["end"])
    month = pick(lambda e: re.fullmatch(r"\d{4}-\d{2}", e["start"]) and not e["end"])
    day = pick(lambda e: re.fullmatch(r"\d{4}-\d{2}-\d{2}", e["start"]) and not e["end"])
    span = pick(lambda e: re.fullmatch(r"\d{4}", e["start"]) and e["end"] and re.fullmatch(r"\d{4}", e["end"])
                and e["end"] != e["start"])
    t.require(year or month, "the API's first page has no event dated only by a year or a month")

    def time_text(e):
        return js(d, """const li = document.querySelector('#timeline-list [data-id="' + arguments[0] + '"]');
                        if (!li) return null; const ts = li.querySelectorAll('time');
                        return ts.length ? [...ts].map(x => x.textContent).join(' ') : '';""", e["id"])

    def month_named(s):
        low = s.lower()
        return any(re.search(r"\b" + m[:3], low) for m in MONTHS)

    def numbers(s):
        return re.findall(r"\d+", s)

    if year:
        s = norm(time_text(year))
        t.check(s and numbers(s) == [year["start"]] and not month_named(s),
                f"{year['id']} starts {year['start']!r} (a year) but its <time> says {s!r} (want e.g. {year['start']!r})")
    if month:
        y, m = month["start"].split("-")
        s = norm(time_text(month))
        want = MONTHS[int(m) - 1]
        t.check(s and numbers(s) == [y] and want[:3] in s.lower(),
                f"{month['id']} starts {month['start']!r} (a month) but its <time> says {s!r} "
                f"(want e.g. {want.capitalize()} {y!r})")
    if span:
        s = norm(time_text(span))
        t.check(s and span["start"] in s and span["end"] in s and not month_named(s),
                f"{span['id']} runs {span['start']}–{span['end']} but its <time> says {s!r}")

    def width(e):
        return js(d, """const r = document.querySelector('#timeline-chart g[data-id="' + arguments[0] + '"] rect');
                        return r ? r.getBoundingClientRect().width : null;""", e["id"]) if e else None

    wy, wm, wd, ws = width(year), width(month), width(day), width(span)
    for e, w in ((year, wy), (month, wm), (day, wd), (span, ws)):
        if e:
            t.check(w is not None, f"#timeline-chart has no <g data-id={e['id']}> with a <rect>")
    if wy is not None and wd is not None:
        t.check(wy > wd, f"a year ({year['start']}) is drawn {wy:.1f}px wide, no wider than a day "
                         f"({day['start']}, {wd:.1f}px): not the span it may cover")
    if wm is not None and wd is not None:
        t.check(wm >= wd, f"a month is drawn narrower ({wm:.1f}px) than a day ({wd:.1f}px)")
    if ws is not None and wy is not None:
        t.check(ws > wy, f"{span['start']}–{span['end']} is drawn {ws:.1f}px wide, no wider than the single year "
                         f"{year['start']} ({wy:.1f}px)")

    # Filter by actor through the URL.
    slug = timeline_actor()
    open_view(d, "/explore/timeline?" + q(actor=slug), "timeline", path="/explore/timeline")
    ui, dup = ids_in(d, "#timeline-list", "event")
    api_ids, nxt = first_page("/v1/events?" + q(actor=slug))
    same_first_page(t, f"timeline?actor={slug}", ui, dup, api_ids, nxt, d)
    shown = js(d, "const i = document.querySelector('#timeline-filters [name=actor]'); return i ? i.value : null")
    actor = api(f"/v1/actors/{slug}")
    t.check(shown in (slug, actor["id"], actor["name"]),
            f"#timeline-filters [name=actor] holds {shown!r}, not the filter's actor {slug!r}")

    # Zoom goes into the URL (and comes back on reload).
    zoom_in_url = lambda: urllib.parse.parse_qs(urllib.parse.urlparse(d.current_url).query).get("zoom", [None])[0]
    before = zoom_in_url()
    control = js(d, """const z = document.getElementById('zoom'); if (!z) return null;
        const label = e => (e.value || e.getAttribute('data-zoom') || e.textContent || '').trim().toLowerCase();
        if (z.tagName === 'SELECT') return {type: 'select', values: [...z.options].map(o => o.value), current: z.value};
        const radios = [...z.querySelectorAll('input[type=radio]')];
        if (radios.length) return {type: 'radio', values: radios.map(label), current: (radios.find(r => r.checked) || {}).value || null};
        const bs = [...z.querySelectorAll('button')];
        return {type: 'button', values: bs.map(label),
                current: (bs.map(b => [b, label(b)]).find(([b]) => b.getAttribute('aria-pressed') === 'true' || b.getAttribute('aria-current')) || [null, null])[1]};""")
    t.require(control and control["values"], "no zoom control #zoom (select, radios or buttons)")
    current = before or control["current"]
    choices = [v for v in control["values"] if v and v != current and not (current and current.startswith(v))]
    target = next((v for v in choices if v.startswith("year")), None) or next((v for v in choices if v.startswith("month")), None) \
        or (choices[0] if choices else None)
    t.require(target, f"#zoom offers nothing but {control['values']}")
    scale_js = """const c = document.getElementById('timeline-chart'); if (!c) return null;
        const w = {}; for (const g of c.querySelectorAll('g[data-id][data-kind=event]')) {
          const r = g.querySelector('rect'); if (r) w[g.getAttribute('data-id')] = r.getBoundingClientRect().width; }
        return {ticks: [...c.querySelectorAll('text')].filter(x => !x.closest('g[data-id]')).map(x => x.textContent.trim()), widths: w};"""
    scale0 = js(d, scale_js)
    t.require(scale0 and scale0["widths"], "#timeline-chart draws no event bars to compare zoom levels with")
    index = control["values"].index(target)
    if control["type"] == "select":
        Select(d.find_element(By.ID, "zoom")).select_by_index(index)
    else:
        els = d.find_elements(By.CSS_SELECTOR, "#zoom input[type=radio]" if control["type"] == "radio" else "#zoom button")
        click(d, els[index])
    try:
        wait_for(d, lambda: zoom_in_url() not in (None, before), f"zoom= in the URL to change from {before!r}", timeout=5)
    except Failure as e:
        t.check(False, f"choosing zoom {target!r}: {e} (URL {d.current_url})")
        return
    after = zoom_in_url()
    t.check(after in ("decades", "years", "months", "days"), f"zoom={after!r} is none of decades/years/months/days")
    t.check(urllib.parse.parse_qs(urllib.parse.urlparse(d.current_url).query).get("actor") == [slug],
            f"changing the zoom dropped the actor filter from the URL ({d.current_url})")
    wait_view(d, "timeline")

    def rescaled(a, b):
        """The widest bar both charts draw: how much its width changed (1.0: not at all)."""
        common = [i for i in a["widths"] if i in b["widths"] and a["widths"][i] > 0]
        if not common:
            return None
        i = max(common, key=lambda k: a["widths"][k])
        return b["widths"][i] / a["widths"][i]

    try:
        wait_for(d, lambda: (lambda s1: s1 and s1["ticks"] != scale0["ticks"]
                             and abs((rescaled(scale0, s1) or 1) - 1) > 0.1)(js(d, scale_js)),
                 "the chart to be drawn at the new scale", timeout=5)
    except Failure:
        s1 = js(d, scale_js) or {"ticks": [], "widths": {}}
        t.check(s1["ticks"] != scale0["ticks"], f"zoom {current!r} → {after!r}: the chart's axis labels did not change "
                                                f"({short(scale0['ticks'], 6)})")
        r = rescaled(scale0, s1)
        t.check(r is not None and abs(r - 1) > 0.1, f"zoom {current!r} → {after!r}: the widest event bar is "
                                                    f"{'missing' if r is None else f'{r:.2f} times as wide'} (not rescaled)")
    reload(d)
    wait_view(d, "timeline")
    t.check(zoom_in_url() == after, f"after a reload the URL's zoom is {zoom_in_url()!r}, not {after!r}")
    ui2, _ = ids_in(d, "#timeline-list", "event")
    t.check(set(ui2) == set(ui), "the zoomed timeline, reloaded, lists other events than the filter's")


def test_records(t, d):
    """The actor, event, sources, source, actors, quotes and history views show the API's records."""
    # Actor, by slug: name, description, aliases with their languages, Wikidata link, events with roles, quotes.
    actor = rich_actor()
    if not actor.get("wikidataId") and not any(a.get("wikidataId") for a in everything("actors")):
        # The built-in dataset links no actor to Wikidata: give this one an id so that the link can be checked.
        cur = http(f"/v1/actors/{actor['id']}")
        actor = api(f"/v1/actors/{actor['id']}", method="PATCH", body={"wikidataId": "Q1"}, token=True,
                    headers={"If-Match": cur.header("ETag")} if cur.header("ETag") else None)
    open_view(d, f"/explore/actors/{actor['slug']}", "actor")
    t.check(h1(d) == norm(actor["name"]), f"actor h1 is {h1(d)!r}, the API's name is {actor['name']!r}")
    if actor.get("description"):
        t.check(norm(text_of(d, "#main .description")) == norm(actor["description"]),
                f"actor .description is {text_of(d, '#main .description')!r}, the API's is {actor['description']!r}")
    aliases = js(d, """const ul = document.getElementById('aliases'); if (!ul) return null;
        return [...ul.querySelectorAll('*')].filter(e => !e.children.length || e.tagName === 'LI').map(e => {
          const l = e.closest('[lang]'); return [e.textContent.replace(/\\s+/g, ' ').trim(), l && ul.contains(l) ? l.lang : null]; });""")
    if t.check(aliases is not None, "actor view has no #aliases"):
        for al in actor["aliases"]:
            hit = [lang for text, lang in aliases if norm(text) == norm(al["name"]) or norm(al["name"]) in norm(text)]
            if t.check(hit, f"alias {al['name']!r} is not in #aliases"):
                if al.get("language"):
                    t.check(al["language"] in hit, f"alias {al['name']!r} has lang {hit}, the API says {al['language']!r}")
    wd = js(d, "const a = document.querySelector('a#wikidata'); return a ? a.href : null")
    if actor.get("wikidataId"):
        t.check(wd == f"https://www.wikidata.org/wiki/{actor['wikidataId']}",
                f"a#wikidata goes to {wd!r}, not https://www.wikidata.org/wiki/{actor['wikidataId']}")
    api_ev, nxt = first_page(f"/v1/actors/{actor['id']}/events")
    ui, dup = ids_in(d, "#actor-events", "event")
    same_first_page(t, "#actor-events", ui, dup, api_ev, nxt, d)
    for e in api(f"/v1/actors/{actor['id']}/events?limit=50")["data"]:
        txt = fold(js(d, """const e = document.querySelector('#actor-events [data-id="' + arguments[0] + '"]');
                           return e ? e.textContent : '';""", e["id"]))
        for role in e.get("roles") or []:
            t.check(role in txt, f"#actor-events: event {e['id']} does not say the actor's role {role!r}")
    api_q, nxt = first_page(f"/v1/actors/{actor['id']}/quotes")
    ui, dup = ids_in(d, "#actor-quotes", "quote")
    t.check(js(d, "return !!document.getElementById('actor-quotes')"), "actor view has no #actor-quotes")
    same_first_page(t, "#actor-quotes", ui, dup, api_q, nxt, d)
    open_view(d, f"/explore/actors/{actor['id']}", "actor")
    t.check(h1(d) == norm(actor["name"]), f"/explore/actors/<id> shows {h1(d)!r}, not {actor['name']!r}")

    # Event: title, participants with roles and links, citations with excerpts, quotes.
    ev = rich_event()
    open_view(d, f"/explore/events/{ev['id']}", "event")
    t.check(h1(d) == norm(ev["title"]), f"event h1 is {h1(d)!r}, the API's title is {ev['title']!r}")

    def check_dates(e):
        """The event's own dates (.dates) name its start's year (and month), and its end's year."""
        dates = norm(text_of(d, "#main .dates"))
        if not t.check(dates, f"event {e['id']}: no .dates element (or it is empty)"):
            return
        t.check(e["start"][:4] in re.findall(r"\d{4}", dates),
                f"event {e['id']}: .dates says {dates!r}, without the year of its start {e['start']}")
        if e.get("end"):
            t.check(e["end"][:4] in re.findall(r"\d{4}", dates), f"event {e['id']}: .dates says {dates!r}, without its end {e['end']}")
        if len(e["start"]) >= 7:
            month = MONTHS[int(e["start"][5:7]) - 1]
            t.check(month[:3] in dates.lower(), f"event {e['id']}: .dates says {dates!r}, without the month of {e['start']}")

    check_dates(ev)
    links = paths_of_links(d, "#participants")
    t.check(js(d, "return !!document.getElementById('participants')"), "event view has no #participants")
    for p in ev["participants"]:
        ok = [x for x in links if x in (f"/explore/actors/{p['actorId']}", f"/explore/actors/{p['slug']}")]
        if t.check(ok, f"#participants has no link to actor {p['slug'] or p['actorId']}"):
            txt = fold(js(d, """const [ps, a, b] = arguments;
                const l = [...document.querySelectorAll('#participants a[href]')].find(x => x.pathname === a || x.pathname === b);
                const item = l.closest('li, tr, dd, div, p') || l.parentElement;
                let t = item.textContent; if (item.tagName === 'DD' && item.previousElementSibling) t += ' ' + item.previousElementSibling.textContent;
                return t;""", "#participants", f"/explore/actors/{p['actorId']}", f"/explore/actors/{p['slug']}"))
            t.check(p["role"] in txt, f"#participants: {p['name']} is shown without the role {p['role']!r}")
    links = paths_of_links(d, "#citations")
    quotes_bq = [unquote_marks(x) for x in js(d, """const c = document.getElementById('citations');
        return c ? [...c.querySelectorAll('blockquote')].map(b => b.textContent) : [];""")]
    t.check(js(d, "return !!document.getElementById('citations')"), "event view has no #citations")
    for c in ev["citations"]:
        t.check(f"/explore/sources/{c['sourceId']}" in links, f"#citations has no link to /explore/sources/{c['sourceId']}")
        if c.get("excerpt"):
            ex = unquote_marks(c["excerpt"])
            t.check(any(ex in b or (b and b in ex and len(b) > len(ex) / 2) for b in quotes_bq),
                    f"#citations has no <blockquote> with the excerpt {c['excerpt'][:60]!r}…")
        if c.get("url"):
            t.check(js(d, "return [...document.querySelectorAll('#citations a[href]')].some(a => a.href === arguments[0])",
                       c["url"]), f"#citations does not link to the source's url {c['url']}")
    api_q, nxt = first_page(f"/v1/events/{ev['id']}/quotes")
    t.check(js(d, "return !!document.getElementById('event-quotes')"), "event view has no #event-quotes")
    ui, dup = ids_in(d, "#event-quotes", "quote")
    same_first_page(t, "#event-quotes", ui, dup, api_q, nxt, d)
    dated = next((e for e in everything("events") if len(e["start"]) >= 7 and not e.get("end")), None)
    t.require(dated, "no event starts on a known month or day")
    open_view(d, f"/explore/events/{dated['id']}", "event")
    check_dates(dated)

    # Sources list and one source with what cites it.
    open_view(d, "/explore/sources", "sources")
    api_s, nxt = first_page("/v1/sources")
    ui, dup = ids_in(d, "#main", "source")
    same_first_page(t, "/explore/sources", ui, dup, api_s, nxt, d)
    src = cited_source()
    open_view(d, f"/explore/sources/{src['id']}", "source")
    t.check(h1(d) == norm(src["title"]), f"source h1 is {h1(d)!r}, the API's title is {src['title']!r}")
    if src.get("publisher"):
        t.check(src["publisher"] in (text_of(d, "#main") or ""), f"the source view does not name its publisher {src['publisher']!r}")
    for kind, box in (("events", "#source-events"), ("quotes", "#source-quotes")):
        a = http(f"/v1/{kind}?" + q(source=src["id"], limit=50))
        if not t.check(a.status == 200, f"the API cannot list the {kind} citing a source yet: GET /v1/{kind}?source= "
                                        f"answered {a.status}"):
            continue
        t.check(js(d, "return !!document.querySelector(arguments[0])", box), f"source view has no {box}")
        ui, dup = ids_in(d, box, kind[:-1])
        same_first_page(t, box, ui, dup, [r["id"] for r in a.body["data"]], a.body.get("next"), d)

    # The actors and quotes lists.
    open_view(d, "/explore/actors", "actors")
    api_a, nxt = first_page("/v1/actors")
    ui, dup = ids_in(d, "#main", "actor")
    same_first_page(t, "/explore/actors", ui, dup, api_a, nxt, d)
    open_view(d, "/explore/quotes", "quotes")
    api_q, nxt = first_page("/v1/quotes")
    ui, dup = ids_in(d, "#quote-results", "quote")
    same_first_page(t, "/explore/quotes #quote-results", ui, dup, api_q, nxt, d)

    # History: every revision the API has, following Load more (a record of our own with more
    # revisions than one page holds).
    mine = create("actors", {"name": f"History Test {rand_letters()}", "kind": "person", "description": "revision 1"})
    for n in range(2, 56):
        patch("actors", mine["id"], {"description": f"revision {n}"})
    revs = []
    cursor = None
    while True:
        body = api(f"/v1/actors/{mine['id']}/revisions?" + q(limit=500, cursor=cursor))
        revs += body["data"]
        cursor = body.get("next")
        if not cursor:
            break
    open_view(d, f"/explore/actors/{mine['id']}/history", "history")
    count_js = """const r = document.getElementById('revisions'); if (!r) return null;
                  return r.querySelectorAll(':scope > li, :scope > article, :scope > section, :scope > tr, tbody > tr').length"""
    n = js(d, count_js)
    t.require(n is not None, "history view has no #revisions")
    for _ in range(len(revs)):
        more = js(d, "return document.querySelector('#main button.load-more')")
        if not more:
            break
        click(d, more)
        wait_for(d, lambda: (js(d, count_js) or 0) > n or not js(d, "return document.querySelector('#main button.load-more')"),
                 "Load more to add revisions to #revisions")
        n = js(d, count_js)
    t.check(n == len(revs), f"#revisions shows {n} revisions (after Load more), the API has {len(revs)}")


def test_quotes_search(t, d):
    """/explore/quotes?q=WORD finds the quote holding the word and marks the word (whatever its case
    and accents) with <mark>."""
    quote, word = quote_word()
    query = word.upper()
    open_view(d, "/explore/quotes?" + q(q=query), "quotes", path="/explore/quotes")
    api_ids, nxt = first_page("/v1/quotes?" + q(q=query))
    ui, dup = ids_in(d, "#quote-results", "quote")
    t.require(quote["id"] in ui, f"searching quotes for {query!r} does not show {quote['id']} ({quote['text'][:50]!r}); "
                                 f"shows {short(ui)}")
    same_first_page(t, f"quotes?q={query}", ui, dup, api_ids, nxt, d)
    marks = js(d, """const e = document.querySelector('#quote-results [data-id="' + arguments[0] + '"]');
                     return e ? [...e.querySelectorAll('mark')].map(m => m.textContent) : [];""", quote["id"])
    t.check(any(fold(m) == fold(word) for m in marks), f"the quote does not mark {word!r} with <mark> (marks: {marks})")
    t.check(js(d, "const i = document.querySelector('#quote-filters [name=q]'); return i ? i.value : null") == query,
            "#quote-filters [name=q] does not hold the query")
    item_links = js(d, """const e = document.querySelector('#quote-results [data-id="' + arguments[0] + '"]');
                          return e ? [...e.querySelectorAll('a[href]')].map(a => a.pathname) : [];""", quote["id"])
    if quote.get("speaker"):
        sp = api(f"/v1/actors/{quote['speaker']['id']}")
        t.check(any(p in (f"/explore/actors/{sp['id']}", f"/explore/actors/{sp['slug']}") for p in item_links),
                f"the quote does not link to its speaker ({item_links})")
    if quote.get("eventId"):
        t.check(f"/explore/events/{quote['eventId']}" in item_links, f"the quote does not link to its event ({item_links})")

    # Accents: a quote of our own written with them is found and marked by a query without them.
    speaker = quote["speaker"]["id"] if quote.get("speaker") else None
    accented = "élévation" + rand_letters()
    made = create("quotes", {"text": f"Le régime résiste à la {accented} de la pression", "language": "fr",
                             "speakerId": speaker})
    query = strip_accents(accented).upper()
    found = [r["id"] for r in api("/v1/quotes?" + q(q=query, limit=50))["data"]]
    t.require(made["id"] in found, f"the API's quote search for {query!r} does not find {accented!r}: it does not fold accents")
    open_view(d, "/explore/quotes?" + q(q=query), "quotes")
    marks = js(d, """const e = document.querySelector('#quote-results [data-id="' + arguments[0] + '"]');
                     return e ? [...e.querySelectorAll('mark')].map(m => m.textContent) : null;""", made["id"])
    if t.check(marks is not None, f"a search for {query!r} does not list the quote with {accented!r} the API finds"):
        t.check(accented in marks, f"{query!r} does not mark {accented!r} (marks: {marks})")


def test_global_search(t, d):
    """The search box on every page: type, submit, #search-results holds the API's top hit in its group."""
    ev = everything("events")[0]
    word = max(words(ev["title"]), key=len)
    top = api("/v1/search?" + q(q=word, limit=20))["data"]
    t.require(top, f"the API finds nothing for {word!r}")
    top = top[0]
    open_view(d, "/explore/actors", "actors")
    box = d.find_element(By.ID, "global-search-input")
    type_into(d, box, word)
    box.send_keys(Keys.ENTER)
    wait_view(d, "search", path="/explore/search")
    got = urllib.parse.parse_qs(urllib.parse.urlparse(d.current_url).query).get("q")
    t.check(got == [word], f"the search view's URL has q={got}, not {word!r}")
    in_group = js(d, """const [id, kind] = arguments;
        const e = document.querySelector('#search-results [data-id="' + id + '"][data-kind="' + kind + '"]');
        if (!e) return null; const g = e.closest('[data-group]'); return g ? g.getAttribute('data-group') : '';""",
                  top["id"], top["type"])
    t.require(in_group is not None, f"#search-results lacks the API's top hit for {word!r}: {top['type']} {top['id']}")
    t.check(in_group == top["type"], f"the top hit is in group {in_group!r}, not section[data-group={top['type']}]")
    if "[" in top["snippet"]:
        marks = js(d, """const e = document.querySelector('#search-results [data-id="' + arguments[0] + '"]');
                         return [...e.querySelectorAll('mark')].map(m => m.textContent);""", top["id"])
        t.check(any(fold(m) == fold(word) for m in marks), f"the top hit's snippet does not <mark> {word!r} (marks {marks})")
    all_hits = {h["id"] for h in api("/v1/search?" + q(q=word, limit=500))["data"]}
    ui, _ = ids_in(d, "#search-results")
    t.check(set(ui) <= all_hits, f"#search-results shows records the API does not find: {sorted(set(ui) - all_hits)[:3]}")

    # Filtered by kind (a link or a radio named type).
    kinds = sorted({h["type"] for h in api("/v1/search?" + q(q=word, limit=500))["data"]})
    kind = next((k for k in kinds if k != top["type"]), top["type"])
    el = js(d, """const k = arguments[0];
        return document.querySelector('#main input[name=type][value="' + k + '"]') ||
               [...document.querySelectorAll('#main a[href]')].find(a => new URLSearchParams(a.search).get('type') === k) || null;""", kind)
    if not t.check(el is not None, f"the search view has no kind filter for {kind!r} (a link with type= or a radio named type)"):
        return
    click(d, el)
    try:
        wait_for(d, lambda: "type=" in d.current_url, "type= in the URL", timeout=3)
    except Failure:
        js(d, "const f = arguments[0].form; if (f) f.requestSubmit ? f.requestSubmit() : f.submit();", el)
    wait_view(d, "search", extra=lambda _: "type=" in d.current_url)
    ui_kinds = js(d, "return [...document.querySelectorAll('#search-results [data-id]')].map(e => e.getAttribute('data-kind'))")
    t.check(ui_kinds and set(ui_kinds) == {kind}, f"filtered by type={kind}, the results are of kinds {sorted(set(ui_kinds or []))}")


def test_navigation(t, d):
    """Clicking links through timeline → event → actor is in-page navigation; back returns to each
    view with its URL and content; a deep URL reloads."""
    open_view(d, "/explore/timeline", "timeline")
    js(d, "window.__browserTestMarker = 'kept'")
    first, _ = ids_in(d, "#timeline-list", "event")
    t.require(first, "the timeline lists no events")
    link = link_to(d, f'#timeline-list [data-id="{first[0]}"]', r"^/explore/events/")
    t.require(link, f"the timeline's item {first[0]} has no link to /explore/events/…")
    ev_path = js(d, "return arguments[0].pathname", link)
    ev_id = ev_path.rsplit("/", 1)[1]
    ev = api(f"/v1/events/{ev_id}")
    click(d, link)
    wait_view(d, "event", path=ev_path, extra=lambda _: h1(d) == norm(ev["title"]))
    t.check(js(d, "return window.__browserTestMarker") == "kept",
            "clicking an event link reloaded the page (the router did not intercept it)")
    t.require(ev["participants"], f"event {ev_id} has no participants to click through to")
    link = link_to(d, "#participants", r"^/explore/actors/[^/]+$")
    t.require(link, "the event view has no link to an actor in #participants")
    actor_path = js(d, "return arguments[0].pathname", link)
    actor = api(f"/v1/actors/{actor_path.rsplit('/', 1)[1]}")
    click(d, link)
    wait_view(d, "actor", path=actor_path, extra=lambda _: h1(d) == norm(actor["name"]))
    t.check(js(d, "return window.__browserTestMarker") == "kept",
            "clicking an actor link reloaded the page (the router did not intercept it)")
    t.check(d.title == f"{actor['name']} · Chronicle", f"the actor view's title is {d.title!r}")

    d.back()
    wait_view(d, "event", path=ev_path, extra=lambda _: h1(d) == norm(ev["title"]))
    d.back()
    wait_view(d, "timeline", path="/explore/timeline")
    again, _ = ids_in(d, "#timeline-list", "event")
    t.check(again == first, "back on the timeline, it lists other events than before")
    d.forward()
    wait_view(d, "event", path=ev_path, extra=lambda _: h1(d) == norm(ev["title"]))

    # Reloading deep URLs.
    reload(d)
    wait_view(d, "event", path=ev_path, extra=lambda _: h1(d) == norm(ev["title"]))
    open_view(d, actor_path, "actor", path=actor_path, extra=lambda _: h1(d) == norm(actor["name"]))
    for path, view in (("/explore", "timeline"), (f"{ev_path}/history", "history")):
        open_view(d, path, view)


def pick_actor(n):
    actors = sorted(actors_with_description(), key=lambda a: a["slug"])
    if len(actors) <= n:
        raise Failure("not enough actors with a description")
    return actors[n]


def actor_path_re(actor, suffix=""):
    return re.compile(rf"/explore/actors/({re.escape(actor['id'])}|{re.escape(actor['slug'])}){suffix}")


def test_edit_round_trip(t, d):
    """Sign in through the token dialog, edit an actor's description, save: the page and the API agree."""
    actor = pick_actor(0)
    open_view(d, f"/explore/actors/{actor['slug']}", "actor")
    sign_in(t, d)
    wait_view(d, "actor")
    link = wait_for(d, lambda: js(d, "return document.querySelector('#main a.edit-link')"), "a.edit-link once signed in", timeout=5)
    t.check(js(d, "return !!document.querySelector('#main a.history-link')"), "no a.history-link on the actor page when signed in")
    t.check(js(d, "return !!document.querySelector('#main button.delete-button')"), "no button.delete-button on the actor page when signed in")
    click(d, link)
    wait_view(d, "edit", path=actor_path_re(actor, "/edit"))
    t.check(js(d, "const f = document.getElementById('edit-form'); return f && f.getAttribute('data-kind')") == "actor",
            "#edit-form is not data-kind=actor")
    box = field(d, "description")
    t.check(norm(box.get_property("value")) == norm(actor["description"]),
            f"the form's description is {box.get_property('value')!r}, the API's is {actor['description']!r}")
    label = js(d, "const e = arguments[0]; return (e.labels && e.labels.length) ? e.labels[0].textContent : null", box)
    t.check(label, "the description field has no <label>")
    new = f"Edited by the browser test at {time.strftime('%H:%M:%S')}"
    type_into(d, box, new)
    click(d, d.find_element(By.ID, "save"))
    wait_view(d, "actor", path=actor_path_re(actor), extra=lambda _: norm(text_of(d, "#main .description")) == new)
    t.check(norm(text_of(d, "#status")), "no status message in #status after saving")
    after = api(f"/v1/actors/{actor['id']}")
    t.check(after["description"] == new, f"the API's description is {after['description']!r}, not the saved {new!r}")
    t.check(after["version"] == actor["version"] + 1, f"the actor went from version {actor['version']} to {after['version']}")
    for k in ("name", "slug", "kind", "aliases", "country", "wikidataId"):
        t.check(after[k] == actor[k], f"saving the description also changed {k}: {actor[k]!r} → {after[k]!r}")


def test_stale_edit(t, d):
    """A change made through the API while the form is open: saving shows #conflict naming the field;
    redo re-applies the user's edit on the current version, which then saves."""
    actor = pick_actor(1)
    open_view(d, "/explore", "timeline")
    sign_in(t, d)
    open_view(d, f"/explore/actors/{actor['id']}/edit", "edit")
    stamp = time.strftime("%H:%M:%S")
    mine, theirs = f"My edit at {stamp}", f"Their edit at {stamp}"
    box = field(d, "description")
    type_into(d, box, mine)
    feed = wait_live(d, 0.5 if LIVE_MARKED is False else 5)
    patch("actors", actor["id"], {"description": theirs})
    # The change reaches the open form through the feed (#status says so): it must not overwrite what
    # the user typed.
    try:
        wait_for(d, lambda: "updated" in norm(text_of(d, "#status")).lower(),
                 "#status to say that the record was updated", timeout=5)
    except Failure as e:
        if feed:
            t.check(False, f"the feed is open but the edit form did not notice the change: {e}")
        else:
            t.note(f"{e} (and <html data-live> never became 'on'): the form is checked without it")
    box = field(d, "description")
    t.require(box.get_property("value") == mine,
              f"the open form lost the typed value after a change through the API (it holds {box.get_property('value')!r})")
    click(d, d.find_element(By.ID, "save"))

    def conflict_or_left():
        s = state(d) or {}
        if s.get("view") != "edit":
            return "left"
        return js(d, "const c = document.getElementById('conflict'); return c && c.offsetParent !== null ? 'conflict' : null")

    got = wait_for(d, conflict_or_left, "#conflict after saving a stale form")
    if got == "left":
        now = api(f"/v1/actors/{actor['id']}")
        raise Failure(f"saving the stale form did not show #conflict; it went to {d.current_url} and the API's description "
                      f"is {now['description']!r} (no If-Match sent?)")
    conflict = norm(text_of(d, "#conflict"))
    t.check(js(d, "return document.getElementById('conflict').getAttribute('role')") == "alert", "#conflict is not role=alert")
    t.check(js(d, "return !!document.querySelector('#conflict dl')"), "#conflict has no <dl> of the changed fields")
    t.check("description" in conflict.lower(), f"#conflict does not name the changed field description: {conflict[:200]!r}")
    t.check(theirs in conflict, f"#conflict does not show their value {theirs!r}: {conflict[:200]!r}")
    t.check(mine in conflict, f"#conflict does not show my value {mine!r}")
    click(d, d.find_element(By.ID, "conflict-reload"))
    wait_for(d, lambda: (state(d) or {}).get("busy") == "false" and
             js(d, "const e = document.querySelector('#edit-form [name=description]'); return e && e.value") == mine,
             "the form to be reloaded with my description re-applied")
    t.check(js(d, "const c = document.getElementById('conflict'); return !c || c.offsetParent === null"),
            "#conflict is still shown after redoing the edit")
    click(d, d.find_element(By.ID, "save"))
    wait_view(d, "actor", path=actor_path_re(actor), extra=lambda _: norm(text_of(d, "#main .description")) == mine)
    after = api(f"/v1/actors/{actor['id']}")
    t.check(after["description"] == mine, f"after the redo the API's description is {after['description']!r}, not {mine!r}")
    t.check(after["version"] == actor["version"] + 2, f"expected version {actor['version'] + 2}, the API has {after['version']}")


def test_field_error(t, d):
    """An impossible date sent from the event form: the API's message in #error-start, aria-invalid, nothing saved."""
    events = [e for e in everything("events") if not e["end"]]
    t.require(events, "no event without an end")
    ev = events[-1]
    bad = "2022-02-30"
    a = http(f"/v1/events/{ev['id']}", method="PATCH", token=True, body={"start": bad})
    t.require(a.status == 422 and isinstance(a.body, dict), f"the API takes start={bad} ({a.status})")
    msg = next((e["message"] for e in a.body.get("errors", []) if e["field"] == "start"), None)
    t.require(msg, f"the API's 422 names no field start: {a.body}")
    open_view(d, "/explore", "timeline")
    set_session_token(d)
    open_view(d, f"/explore/events/{ev['id']}/edit", "edit")
    start = field(d, "start")
    t.check(start.get_property("value") == ev["start"], f"the form's start is {start.get_property('value')!r}, not {ev['start']!r}")
    type_into(d, start, bad)
    click(d, d.find_element(By.ID, "save"))
    wait_for(d, lambda: norm(text_of(d, "#error-start")), "a message in #error-start")
    shown = norm(text_of(d, "#error-start"))
    t.check(norm(msg) in shown, f"#error-start says {shown!r}, the API said {msg!r}")
    start = field(d, "start")
    t.check(start.get_attribute("aria-invalid") == "true", f"the start field has aria-invalid={start.get_attribute('aria-invalid')!r}")
    t.check("error-start" in (start.get_attribute("aria-describedby") or "").split(),
            f"the start field's aria-describedby is {start.get_attribute('aria-describedby')!r}, not naming #error-start")
    t.check(js(d, "const e = document.getElementById('error-start'); return e.classList.contains('field-error')"),
            "#error-start is not a .field-error")
    t.check((state(d) or {}).get("view") == "edit", "the form was left after a 422")
    now = api(f"/v1/events/{ev['id']}")
    t.check(now["start"] == ev["start"] and now["version"] == ev["version"], "the event changed despite the error")
    others = js(d, """return [...document.querySelectorAll('#edit-form .field-error')]
                      .filter(e => e.id !== 'error-start' && e.textContent.trim()).map(e => e.id + ': ' + e.textContent.trim())""")
    t.check(not others, f"other fields show errors too: {others}")


def run_curl(t, d, what):
    cmd = norm(text_of(d, "#curl-command"))
    t.require(cmd, f"{what}: no #curl-command")
    t.require(cmd.startswith("curl "), f"{what}: #curl-command does not start with 'curl ': {cmd[:80]!r}")
    t.check(TOKEN not in cmd, f"{what}: #curl-command holds the token itself")
    t.check(BASE in cmd, f"{what}: #curl-command does not use the absolute URL {BASE}/…: {cmd[:100]!r}")
    env = dict(os.environ, CHRONICLE_TOKEN=TOKEN)
    r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=20, env=env)
    t.require(r.returncode == 0, f"{what}: `{cmd}` exited {r.returncode}: {r.stderr[-200:]}")
    try:
        return cmd, json.loads(r.stdout)
    except ValueError:
        raise Failure(f"{what}: `{cmd}` did not print JSON: {r.stdout[:120]!r}")


def test_copy_as_curl(t, d):
    """#curl-command on a list and on a record, run in a shell, gives what the view shows."""
    open_view(d, "/explore", "timeline")
    sign_in(t, d)
    slug = timeline_actor()
    open_view(d, "/explore/timeline?" + q(actor=slug), "timeline")
    t.check(js(d, "return !!document.querySelector('details.curl summary') && !!document.querySelector('details.curl #curl-command')"),
            "no <details class=curl> with a <summary> around #curl-command")
    t.check(js(d, "return !!document.querySelector('details.curl button.copy-curl')"), "no button.copy-curl in details.curl")
    cmd, out = run_curl(t, d, "timeline")
    ui, _ = ids_in(d, "#timeline-list", "event")
    got = [r.get("id") for r in out.get("data", [])] if isinstance(out, dict) else []
    t.check(got == ui or set(got) == set(ui), f"timeline: `{cmd}` gives {short(got)}, the view shows {short(ui)}")
    m = re.search(r"'(https?://[^']+)'", cmd)
    t.require(m, f"timeline: no quoted URL in {cmd!r}")
    u = urllib.parse.urlparse(m.group(1))
    params = urllib.parse.parse_qs(u.query)
    limit = params.pop("limit", ["50"])
    t.check(u.path == "/v1/events" and params == {"actor": [slug]} and len(limit) == 1 and limit[0].isdigit()
            and 0 < int(limit[0]) <= 50,
            f"timeline?actor={slug}: the command asks for {u.path}?{u.query}, not /v1/events?actor={slug}&limit=(≤50)")

    ev = rich_event()
    open_view(d, f"/explore/events/{ev['id']}", "event")
    cmd, out = run_curl(t, d, "event")
    t.check(isinstance(out, dict) and out.get("id") == ev["id"] and norm(out.get("title")) == h1(d),
            f"event: `{cmd}` gives {str(out)[:100]!r}, the view shows {ev['id']} {h1(d)!r}")

    _, word = quote_word()
    open_view(d, "/explore/quotes?" + q(q=word), "quotes")
    cmd, out = run_curl(t, d, "quotes")
    ui, _ = ids_in(d, "#quote-results", "quote")
    got = [r.get("id") for r in out.get("data", [])] if isinstance(out, dict) else []
    t.check(set(got) == set(ui), f"quotes: `{cmd}` gives {short(got)}, the view shows {short(ui)}")

    # The edit view's command is the PATCH the form would send: If-Match with the ETag read, the
    # token as a variable, the changed field; run, it saves that change.
    etag = http(f"/v1/events/{ev['id']}").header("ETag")
    open_view(d, f"/explore/events/{ev['id']}/edit", "edit")
    summary = f"Summary set by running the curl of the edit view at {time.strftime('%H:%M:%S')}"
    type_into(d, field(d, "summary"), summary)
    wait_for(d, lambda: summary in (text_of(d, "#curl-command") or ""), "#curl-command to carry the typed summary", timeout=5)
    cmd = norm(text_of(d, "#curl-command"))
    t.check(re.search(r"(-X|--request)\s*'?PATCH\b", cmd), f"edit: the command is not a PATCH: {cmd[:160]}")
    t.check(f"'{BASE}/v1/events/{ev['id']}'" in cmd, f"edit: the command does not PATCH {BASE}/v1/events/{ev['id']}: {cmd[:160]}")
    sent = re.search(r"If-Match:\s*((?:W/)?\"[^\"]*\")", cmd)
    # The ETag the page read may carry the server's content-coding suffix ("…-gzip"): the same version.
    t.check(etag and sent and (sent.group(1) == etag or sent.group(1).startswith(etag[:-1] + "-")),
            f"edit: the command does not send If-Match: {etag} (the event's ETag): {cmd[:200]}")
    t.check(re.search(r"Authorization: Bearer \$CHRONICLE_TOKEN\b", cmd),
            f"edit: the command does not send Authorization: Bearer $CHRONICLE_TOKEN: {cmd[:200]}")
    cmd, out = run_curl(t, d, "edit")
    after = api(f"/v1/events/{ev['id']}")
    t.check(after.get("summary") == summary and after["version"] == ev["version"] + 1,
            f"edit: running `{cmd[:100]}…` left the event at version {after['version']} with summary "
            f"{str(after.get('summary'))[:60]!r}, not the typed one")


CSP_WANT = {"default-src": "'none'", "script-src": "'self'", "style-src": "'self'", "base-uri": "'none'",
            "frame-ancestors": "'none'"}


def check_csp(t, path, accept):
    a = http(path, accept=accept)
    csp = a.header("Content-Security-Policy")
    if not t.check(csp, f"no Content-Security-Policy on {path} ({a.status} {a.header('Content-Type')})"):
        return a
    rules = {p.split()[0]: " ".join(p.split()[1:]) for p in csp.split(";") if p.strip()}
    for k, v in CSP_WANT.items():
        t.check(rules.get(k) == v, f"CSP of {path}: {k} is {rules.get(k)!r}, not {v}")
    t.check("unsafe" not in csp, f"CSP of {path} allows something unsafe: {csp}")
    return a


def test_console_and_csp(t, d):
    """No view logs a console error (SEVERE); every explorer response carries the CSP; the page has
    nothing inline."""
    html = check_csp(t, "/", "text/html")
    check_csp(t, "/explore/timeline", "text/html")
    check_csp(t, "/assets/app.js", "*/*")
    page = html.body if isinstance(html.body, str) else ""
    t.check(not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "index.html has an inline <script>")
    t.check(not re.search(r"<style\b", page), "index.html has an inline <style>")
    t.check(not re.search(r"\sstyle\s*=", page), "index.html has a style= attribute")
    t.check(not re.search(r"\son[a-z]+\s*=", page), "index.html has an on…= attribute")
    for asset in re.findall(r'(?:src|href)="(/assets/[^"]+)"', page):
        a = http(asset, accept="*/*")
        t.check(a.status == 200, f"{asset} answers {a.status}")
    console_errors(d)  # drop what came before

    def visit(name, path, view):
        for e in console_errors(d):
            t.check(False, f"{name} ({path}): {e['message'][:300]}")

    tour(t, d, visit, settle=True)


def test_accessibility(t, d):
    """axe-core on every view (and the open token dialog): no serious or critical violation."""
    from axe_selenium_python import Axe
    axe = Axe(d)
    found = []

    def run(name):
        axe.inject()
        res = axe.run()
        for v in res.get("violations", []):
            if v.get("impact") in ("serious", "critical"):
                nodes = [" ".join(n.get("target", [])) + (f" — {n.get('failureSummary', '').strip()[:160]}" if n.get("failureSummary") else "")
                         for n in v.get("nodes", [])]
                found.append(f"{name}: {v['id']} ({v['impact']}): {v.get('help')}; nodes: {nodes[:5]}"
                             + (f" and {len(nodes) - 5} more" if len(nodes) > 5 else ""))

    open_view(d, "/explore/timeline", "timeline")
    click(d, d.find_element(By.ID, "token-button"))
    wait_for(d, lambda: js(d, "const g = document.getElementById('token-dialog'); return !!(g && g.open)"), "#token-dialog to open")
    run("token dialog")
    tour(t, d, lambda name, path, view: run(name))
    for f in found:
        print("    axe: " + f)
    t.check(not found, f"{len(found)} serious or critical axe violations (listed above)")


def test_screenshots(t, d):
    """A screenshot of every view, <view>.png, in the folder given; the timeline also at phone width
    (390×844), where nothing may scroll sideways."""
    saved = []

    def shot(name, path, view):
        f = os.path.join(SHOTS, f"{name}.png")
        if d.save_screenshot(f):
            saved.append(name)

    tour(t, d, shot)
    for name in ("timeline", "event"):
        f = os.path.join(SHOTS, f"{name}.png")
        t.check(os.path.exists(f) and os.path.getsize(f) > 5000, f"{name}.png is missing or nearly empty")
    js(d, "sessionStorage.removeItem('chronicle.token')")  # the phone shots signed out, as a reader sees them
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    wide = "return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    try:
        for name, path, view in (("timeline", "/", "timeline"), ("event", f"/explore/events/{rich_event()['id']}", "event")):
            open_view(d, path, view)
            # The phone layout has been applied and painted: fonts in, two frames drawn.
            wait_for(d, lambda: js(d, "return innerWidth") == 390, "the page to be laid out 390 px wide")
            d.execute_async_script("""const done = arguments[arguments.length - 1];
                document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));""")
            d.save_screenshot(os.path.join(SHOTS, f"{name}-phone.png"))
            saved.append(f"{name}-phone")
            w = js(d, wide)
            t.check(w <= 391, f"at 390 px wide the {name} view scrolls sideways (its page is {w} px wide)")
    finally:
        d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    t.note(f"saved {', '.join(n + '.png' for n in saved)}")


def test_page_frame(t, d):
    """Every view: one <h1>, title '<h1> · Chronicle', the header's nav and search box, #token-button,
    #status, the curl block, a favicon; and keyboard focus is visible."""
    def visit(name, path, view):
        s = js(d, """
            const q = s => document.querySelector(s);
            const nav = q('header nav[aria-label=Main]');
            const input = q('form#global-search[role=search] input#global-search-input[type=search][name=q]');
            const label = input ? ((input.labels && input.labels[0] && input.labels[0].textContent) || input.getAttribute('aria-label') || '') : '';
            return {h1: [...document.querySelectorAll('h1')].map(e => e.textContent.replace(/\\s+/g, ' ').trim()),
                    title: document.title,
                    nav: nav ? [...nav.querySelectorAll('a[href]')].map(a => a.pathname) : null,
                    search: !!input, label: label.replace(/\\s+/g, ' ').trim(),
                    token: !!q('#token-button'), status: !!q('#status[role=status]'),
                    curl: !!q('details.curl code#curl-command') && !!q('details.curl code#curl-command').textContent.trim(),
                    icon: !!q('link[rel~=icon]')};""")
        where = f"{name} ({path})"
        if t.check(len(s["h1"]) == 1, f"{where}: {len(s['h1'])} <h1> elements"):
            t.check(s["title"] == f"{s['h1'][0]} · Chronicle", f"{where}: title {s['title']!r} is not '<h1> · Chronicle'")
        if t.check(s["nav"] is not None, f"{where}: no <header> <nav aria-label=Main>"):
            for p in ("/explore/quotes", "/explore/actors", "/explore/sources"):
                t.check(p in s["nav"], f"{where}: the main nav has no link to {p}")
            t.check("/" in s["nav"] or "/explore" in s["nav"] or "/explore/timeline" in s["nav"],
                    f"{where}: the main nav has no link to the timeline")
        if t.check(s["search"], f"{where}: no form#global-search[role=search] with input#global-search-input[type=search][name=q]"):
            t.check("search everything" in s["label"].lower(), f"{where}: the search box is labelled {s['label']!r}")
        t.check(s["token"], f"{where}: no #token-button")
        t.check(s["status"], f"{where}: no #status[role=status]")
        if view != "not-found":
            t.check(s["curl"], f"{where}: no details.curl with a non-empty code#curl-command")
        t.check(s["icon"], f"{where}: no <link rel=icon>")

    tour(t, d, visit)
    open_view(d, "/explore/timeline", "timeline")
    shown = []
    for _ in range(4):
        d.switch_to.active_element.send_keys(Keys.TAB)
        shown.append(js(d, """const e = document.activeElement; if (!e || e === document.body) return null;
            const s = getComputedStyle(e);
            return [e.tagName + (e.id ? '#' + e.id : ''), (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'];"""))
    focused = [x for x in shown if x]
    if t.check(focused, "Tab moves the focus to nothing"):
        t.check(all(v for _, v in focused), f"keyboard focus is not visible (no outline or box-shadow) on "
                                            f"{[n for n, v in focused if not v]}")


def test_live_update(t, d):
    """An open actor page follows the change feed: a change made through the API shows without a reload."""
    actor = pick_actor(2)
    open_view(d, f"/explore/actors/{actor['slug']}", "actor")
    js(d, "window.__browserTestMarker = 'kept'")
    # A change made before the feed is open would not reach the page: wait for it to open.
    if not wait_live(d, 5):
        t.note("<html data-live> did not become 'on' within 5 s (the explorer does not mark its change feed "
               "yet): waited 1 s instead")
        time.sleep(1)  # the bounded fallback, until the explorer marks its feed
    new = f"Changed through the API at {time.strftime('%H:%M:%S')}"
    patch("actors", actor["id"], {"description": new})
    wait_for(d, lambda: norm(text_of(d, "#main .description")) == new and (state(d) or {}).get("busy") == "false",
             "the open actor page to show the description changed through the API")
    t.check(js(d, "return window.__browserTestMarker") == "kept", "the page was reloaded rather than updated")
    status = norm(text_of(d, "#status"))
    t.check("updated" in status.lower(), f"#status does not say the record was updated: {status!r}")


HOSTILE = "<img src=x onerror=alert(1)> <b>bold</b>"
INJECTED_JS = """return [...document.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x').length
                 + [...document.querySelectorAll('b')].filter(b => b.textContent === 'bold').length"""


def test_html_as_text(t, d):
    """Names and titles holding HTML, made through the API, are shown as literal text on their pages,
    in lists and in search results; nothing is injected into the page."""
    tag = rand_letters(10)
    actor = create("actors", {"name": f"{HOSTILE} Actor {tag}", "kind": "person", "description": f"{HOSTILE} described"})
    ev = create("events", {"title": f"{HOSTILE} Event {tag}", "start": "2021-05", "category": "other",
                           "participants": [{"actorId": actor["id"], "role": "participant"}]})

    def literal(where, selector, want):
        got = norm(text_of(d, selector))
        t.check(want in got, f"{where}: {selector} shows {got[:120]!r}, not the literal {want!r}")
        t.check(js(d, INJECTED_JS) == 0, f"{where}: the HTML in a name was turned into elements (img/b)")

    open_view(d, f"/explore/actors/{actor['id']}", "actor")
    t.check(h1(d) == norm(actor["name"]), f"actor page: the h1 is {h1(d)!r}, not the literal name {actor['name']!r}")
    literal("actor page", "#main .description", norm(actor["description"]))
    literal("actor page", f'#actor-events [data-id="{ev["id"]}"]', norm(ev["title"]))
    open_view(d, f"/explore/events/{ev['id']}", "event")
    t.check(h1(d) == norm(ev["title"]), f"event page: the h1 is {h1(d)!r}, not the literal title {ev['title']!r}")
    literal("event page", "#participants", norm(actor["name"]))
    open_view(d, "/explore/actors?" + q(q=tag), "actors")
    t.require(actor["id"] in ids_in(d, "#main", "actor")[0], f"the actors list for q={tag} does not show {actor['id']}")
    literal("actors list", f'#main [data-id="{actor["id"]}"][data-kind="actor"]', norm(actor["name"]))
    hits = {h["id"]: h for h in api("/v1/search?" + q(q=tag, limit=50))["data"]}
    t.require(ev["id"] in hits, f"the API's search for {tag!r} does not find the event {ev['id']}")
    open_view(d, "/explore/search?" + q(q=tag), "search")
    for rec, title in ((ev, ev["title"]), (actor, actor["name"])):
        if rec["id"] in hits:
            literal("search results", f'#search-results [data-id="{rec["id"]}"]', norm(title))


def confirm_delete(d):
    """Answers yes in #confirm-dialog."""
    wait_for(d, lambda: js(d, "const g = document.getElementById('confirm-dialog'); return !!(g && g.open)"),
             "#confirm-dialog to open", timeout=5)
    click(d, d.find_element(By.ID, "confirm-ok"))


def test_delete(t, d):
    """Deleting (signed in) an actor that events and quotes refer to: #delete-blocked lists them as the
    API does and the actor stays; deleting a source nothing cites works and the API then answers 410
    Gone (its answer for a deleted record)."""
    tag = rand_letters()
    actor = create("actors", {"name": f"Referred Actor {tag}", "kind": "person"})
    for n in range(2):
        create("events", {"title": f"Event {n} of {tag}", "start": f"202{n}", "category": "other",
                          "participants": [{"actorId": actor["id"], "role": "participant"}]})
    create("quotes", {"text": f"Quote of {tag}", "language": "en", "speakerId": actor["id"]})
    open_view(d, "/explore", "timeline")
    set_session_token(d)
    open_view(d, f"/explore/actors/{actor['id']}", "actor")
    click(d, wait_for(d, lambda: js(d, "return document.querySelector('#main button.delete-button')"),
                      "button.delete-button once signed in", timeout=5))
    confirm_delete(d)
    wait_for(d, lambda: js(d, "const b = document.getElementById('delete-blocked'); return !!b && b.offsetParent !== null"),
             "#delete-blocked after deleting an actor others refer to")
    t.check(js(d, "return document.getElementById('delete-blocked').getAttribute('role')") == "alert",
            "#delete-blocked is not role=alert")
    want_ev = [e["id"] for e in api(f"/v1/actors/{actor['id']}/events?limit=50")["data"]]
    want_q = [x["id"] for x in api(f"/v1/actors/{actor['id']}/quotes?limit=50")["data"]]
    try:  # the lists are fetched after the 409 is shown
        wait_for(d, lambda: len(ids_in(d, "#delete-blocked")[0]) >= len(want_ev) + len(want_q), "the lists", timeout=5)
    except Failure:
        pass  # said below, list by list
    got_ev, _ = ids_in(d, "#delete-blocked", "event")
    got_q, _ = ids_in(d, "#delete-blocked", "quote")
    t.check(sorted(got_ev) == sorted(want_ev), f"#delete-blocked lists events {got_ev}, the API's are {want_ev}")
    t.check(sorted(got_q) == sorted(want_q), f"#delete-blocked lists quotes {got_q}, the API's are {want_q}")
    links = paths_of_links(d, "#delete-blocked")
    for e in want_ev:
        t.check(f"/explore/events/{e}" in links, f"#delete-blocked does not link to /explore/events/{e}")
    still = http(f"/v1/actors/{actor['id']}")
    t.check(still.status == 200, f"the actor others refer to answers {still.status} after the refused delete")
    t.check((state(d) or {}).get("view") == "actor", "the page left the actor after the refused delete")

    src = create("sources", {"title": f"Unused Source {tag}"})
    open_view(d, f"/explore/sources/{src['id']}", "source")
    click(d, wait_for(d, lambda: js(d, "return document.querySelector('#main button.delete-button')"),
                      "button.delete-button on the source page", timeout=5))
    confirm_delete(d)
    wait_for(d, lambda: http(f"/v1/sources/{src['id']}").status != 200, "the API to no longer have the deleted source")
    gone = http(f"/v1/sources/{src['id']}")
    t.check(gone.status == 410, f"the deleted source answers {gone.status}, not 410 Gone")
    wait_view(d, "sources", extra=lambda _: src["id"] not in ids_in(d, "#main", "source")[0])
    t.check(not js(d, "return !!document.getElementById('delete-blocked')"), "#delete-blocked shown after a delete that worked")


def save_form(t, d, kind, values):
    """Fills #edit-form's fields (name → value) and saves it."""
    for name, value in values.items():
        type_into(d, field(d, name), value)
    click(d, d.find_element(By.ID, "save"))


def test_create(t, d):
    """/explore/new/source, then /explore/new/event citing it (signed in): each lands on the new
    record's page and the API has the record as entered."""
    tag = rand_letters()
    open_view(d, "/explore", "timeline")
    set_session_token(d)
    open_view(d, "/explore/new/source", "edit", path="/explore/new/source")
    t.check(js(d, "const f = document.getElementById('edit-form'); return f && f.getAttribute('data-kind')") == "source",
            "/explore/new/source has no #edit-form[data-kind=source]")
    title = f"A source made in the browser {tag}"
    save_form(t, d, "source", {"title": title, "publisher": f"Publisher {tag}"})
    s = wait_view(d, "source", path=re.compile(r"/explore/sources/[^/]+"))
    sid = s["path"].rsplit("/", 1)[1]
    src = http(f"/v1/sources/{sid}")
    t.require(src.status == 200, f"after creating a source the page is {s['path']}, which the API does not know ({src.status})")
    t.check(src.body["title"] == title and src.body.get("publisher") == f"Publisher {tag}",
            f"the API's new source is {src.body['title']!r} / {src.body.get('publisher')!r}, not what was entered")
    t.check(h1(d) == title, f"the new source's page shows {h1(d)!r}, not {title!r}")

    open_view(d, "/explore/new/event", "edit", path="/explore/new/event")
    add = js(d, """return [...document.querySelectorAll('#edit-form button')]
                   .find(b => /add citation|add source/i.test(b.textContent)) || null""")
    t.require(add, "the new event form has no 'Add citation' button")
    click(d, add)
    wait_for(d, lambda: js(d, "return !!document.querySelector('#edit-form [name=\"citations[0].sourceId\"]')"),
             "a citations[0].sourceId field", timeout=5)
    etitle = f"An event made in the browser {tag}"
    save_form(t, d, "event", {"title": etitle, "start": "2023-04", "citations[0].sourceId": sid,
                              "citations[0].excerpt": f"Excerpt {tag}"})
    s = wait_view(d, "event", path=re.compile(r"/explore/events/[^/]+"))
    eid = s["path"].rsplit("/", 1)[1]
    ev = http(f"/v1/events/{eid}")
    t.require(ev.status == 200, f"after creating an event the page is {s['path']}, which the API does not know ({ev.status})")
    t.check(ev.body["title"] == etitle and ev.body["start"] == "2023-04",
            f"the API's new event is {ev.body['title']!r} starting {ev.body['start']!r}")
    cites = [(c["sourceId"], c.get("excerpt")) for c in ev.body["citations"]]
    t.check(cites == [(sid, f"Excerpt {tag}")], f"the API's new event cites {cites}, not {sid} with the excerpt entered")
    t.check(h1(d) == etitle, f"the new event's page shows {h1(d)!r}, not {etitle!r}")
    t.check(f"/explore/sources/{sid}" in paths_of_links(d, "#citations"), "the new event's #citations does not link to its source")


def test_restore(t, d):
    """Restoring an earlier revision from the history view (signed in) makes the API's record equal
    that revision's state."""
    tag = rand_letters()
    actor = create("actors", {"name": f"Restorable {tag}", "kind": "person", "description": "the first state",
                              "aliases": [{"name": f"Alias {tag}", "language": "en"}]})
    patch("actors", actor["id"], {"description": "the second state", "country": "BY"})
    patch("actors", actor["id"], {"name": f"Renamed {tag}", "aliases": []})
    revs = api(f"/v1/actors/{actor['id']}/revisions?limit=50")["data"]
    first = next(r for r in revs if r["revision"] == 1)
    open_view(d, "/explore", "timeline")
    set_session_token(d)
    open_view(d, f"/explore/actors/{actor['id']}/history", "history")
    button = js(d, """const items = [...document.querySelectorAll('#revisions > *')];
        const it = items.find(e => e.getAttribute('data-revision') === '1' ||
                                   /^\\s*revision 1\\b/i.test((e.querySelector('h2, h3, h4') || e).textContent));
        return it ? [...it.querySelectorAll('button')].find(b => /restore/i.test(b.textContent)) || null : null;""")
    t.require(button, "#revisions has no Restore button on revision 1")
    click(d, button)
    if js(d, "const g = document.getElementById('confirm-dialog'); return !!(g && g.open)"):
        click(d, d.find_element(By.ID, "confirm-ok"))
    wait_for(d, lambda: api(f"/v1/actors/{actor['id']}")["version"] == 4, "the API's actor to get a revision 4 (the restore)")
    now = api(f"/v1/actors/{actor['id']}")
    skip = {"version", "updatedAt", "createdAt", "id"}
    diff = {k: (first["state"].get(k), now.get(k)) for k in set(first["state"]) | set(now)
            if k not in skip and first["state"].get(k) != now.get(k)}
    t.check(not diff, f"after restoring revision 1 the API's actor differs from it in {diff}")
    count = "return document.querySelectorAll('#revisions > *').length"
    try:
        wait_view(d, "history", extra=lambda _: js(d, count) == 4, timeout=5)
    except Failure:
        t.check(False, f"after the restore #revisions shows {js(d, count)} revisions, the API has 4")


def test_navigation_race(t, d):
    """Two clicks in a row, to view A and at once to view B, while A's data is slow: once everything
    settled, the page shows B only (data-view, h1, URL) and nothing was logged."""
    open_view(d, "/explore/timeline", "timeline")
    ids, _ = ids_in(d, "#timeline-list", "event")
    t.require(ids, "the timeline lists no events")
    ev = api(f"/v1/events/{ids[0]}")
    # A's API answers are held back 800 ms in the page (fetch wrapped), so that they land after B's.
    js(d, """const real = window.fetch; window.__heldBack = 0; window.__settled = 0;
        window.fetch = function (input, init) {
          const u = typeof input === 'string' ? input : input.url;
          const p = real.apply(this, arguments);
          if (new URL(u, location.href).pathname !== '/v1/actors') return p;
          window.__heldBack++;
          const later = (f) => (x) => new Promise((res) => setTimeout(res, 800)).then(() => { window.__settled++; return f(x); });
          return p.then(later((r) => r), later((e) => { throw e; }));
        };""")
    link_a = js(d, "return [...document.querySelectorAll('header nav a[href]')].find(a => a.pathname === '/explore/actors') || null")
    link_b = link_to(d, f'#timeline-list [data-id="{ids[0]}"]', r"^/explore/events/")
    t.require(link_a and link_b, "no nav link to /explore/actors or no event link in the timeline")
    b_path = js(d, "return arguments[0].pathname", link_b)
    console_errors(d)
    js(d, "arguments[0].click(); arguments[1].click();", link_a, link_b)
    wait_view(d, "event", path=b_path)
    t.check(js(d, "return window.__heldBack") > 0, "view A (the actors list) did not ask /v1/actors: the race was not run")
    wait_for(d, lambda: js(d, "return window.__settled >= window.__heldBack"), "view A's held-back answers to land")
    # Give what A's late answer may have started a turn to draw, then check what is shown.
    d.execute_async_script("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => setTimeout(() => done(true), 0));")
    s = state(d)
    t.check(s["view"] == "event" and s["busy"] == "false", f"after the race the page is data-view={s['view']!r} aria-busy={s['busy']!r}, not the event")
    t.check(s["path"] == b_path, f"after the race the URL is {s['path']}, not {b_path}")
    t.check(s["h1"] == [norm(ev["title"])], f"after the race the page's h1 is {s['h1']}, not the event's {ev['title']!r}")
    stray = set(ids_in(d, "#main", "actor")[0]) - {p["actorId"] for p in ev["participants"]}
    t.check(not stray, f"after the race the page shows actors of the actors list: {short(sorted(stray))}")
    for e in console_errors(d):
        t.check(False, f"console after the race: {e['message'][:200]}")


TESTS = [
    ("timeline", test_timeline),
    ("records", test_records),
    ("quotes-search", test_quotes_search),
    ("global-search", test_global_search),
    ("navigation", test_navigation),
    ("edit-round-trip", test_edit_round_trip),
    ("stale-edit", test_stale_edit),
    ("field-error", test_field_error),
    ("copy-as-curl", test_copy_as_curl),
    ("console-and-csp", test_console_and_csp),
    ("accessibility", test_accessibility),
    ("screenshots", test_screenshots),
    ("page-frame", test_page_frame),
    ("live-update", test_live_update),
    ("html-as-text", test_html_as_text),
    ("delete", test_delete),
    ("create", test_create),
    ("restore", test_restore),
    ("navigation-race", test_navigation_race),
]


def preflight():
    """Why no browser test can pass, or None: the explorer's page and the files it loads must be served."""
    a = http("/", accept="text/html")
    if a.status != 200 or "text/html" not in (a.header("Content-Type") or "") or not isinstance(a.body, str):
        return f"GET / for a browser answers {a.status} {a.header('Content-Type')}, not the explorer's HTML"
    files = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="(/[^"]+)"', a.body)
    if not any(f.endswith(".js") for f in files):
        return "the explorer's index.html loads no script"
    broken = [f"{f} ({http(f, accept='*/*').status})" for f in files if http(f, accept="*/*").status != 200]
    if broken:
        return f"the explorer's page loads files the server does not serve: {', '.join(broken)}"
    return None


def main():
    global BASE, TOKEN, SHOTS
    # Stopped by `timeout` or Ctrl-C: leave through the finally blocks, which quit the browser.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base-url")
    p.add_argument("--token")
    p.add_argument("--screenshots")
    p.add_argument("--only", help="comma-separated test names or numbers")
    p.add_argument("--list", action="store_true")
    args = p.parse_args()
    if args.list:
        for i, (name, fn) in enumerate(TESTS, 1):
            print(f"{i:2} {name}: {norm(fn.__doc__)}")
        return 0
    if not (args.base_url and args.token and args.screenshots):
        p.error("--base-url, --token and --screenshots are required")
    BASE, TOKEN, SHOTS = args.base_url.rstrip("/"), args.token, args.screenshots
    os.makedirs(SHOTS, exist_ok=True)
    for f in os.listdir(SHOTS):  # failures of an earlier run in the same folder
        if f.startswith("FAIL-") and f.endswith(".png"):
            os.remove(os.path.join(SHOTS, f))
    chosen = TESTS
    if args.only:
        want = {w.strip() for w in args.only.split(",")}
        chosen = [(n, f) for i, (n, f) in enumerate(TESTS, 1) if n in want or str(i) in want]
    started = time.time()
    results = []
    unusable = preflight()
    if unusable:
        for name, _ in chosen:
            print(f"FAIL {[n for n, _ in TESTS].index(name) + 1:2} {name}: not run: {unusable}")
        print(f"browser: 0 passed, {len(chosen)} failed")
        return 1
    for name, fn in chosen:
        number = [n for n, _ in TESTS].index(name) + 1
        t = Test(name)
        t0 = time.time()
        d = None
        error = None
        try:
            d = new_driver()
            fn(t, d)
        except Failure as e:
            error = str(e)
        except Exception as e:  # a broken contract often shows as a missing element: say which, go on
            error = f"{type(e).__name__}: {norm(getattr(e, 'msg', None) or str(e))[:300]}"
            if not isinstance(e, WebDriverException):
                traceback.print_exc()
        finally:
            if d is not None:
                # Whatever a test did, the page may not throw or log errors (failed requests, such as the
                # 412 and 422 some tests cause on purpose, are the console test's business).
                for e in console_errors(d):
                    if e.get("source") != "network":
                        t.check(False, f"console: {e['message'][:300]}")
                if error or t.problems:
                    try:
                        d.save_screenshot(os.path.join(SHOTS, f"FAIL-{name}.png"))
                    except WebDriverException:
                        pass
                try:
                    d.quit()
                except WebDriverException:
                    pass
        problems = [p.replace(TOKEN, "<the token>") for p in t.problems + ([error] if error else [])]
        took = time.time() - t0
        print(f"{'PASS' if not problems else 'FAIL'} {number:2} {name} ({took:.1f} s)"
              + (": " + " | ".join(problems) if problems else ""))
        for n in t.notes:
            print(f"    note: {n}")
        sys.stdout.flush()
        results.append(not problems)
    passed = sum(results)
    print(f"browser tests took {time.time() - started:.0f} s; screenshots in {SHOTS}")
    print(f"browser: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
