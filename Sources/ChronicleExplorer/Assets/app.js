// The explorer: a router over the History API that draws one view at a time into <main>.

import { h, alertBox } from './dom.js';
import { curl, ownWrites, auth, getToken } from './api.js';
import { formatTime } from './dates.js';
import { hooks, setStatus, setupTokenDialog, openTokenDialog } from './ui.js';
import { follow } from './live.js';
import { titleOf } from './records.js';
import { timelineView } from './view-timeline.js';
import { actorsView, actorView } from './view-actors.js';
import { eventView } from './view-event.js';
import { quotesView } from './view-quotes.js';
import { searchView } from './view-search.js';
import { sourcesView, sourceView } from './view-sources.js';
import { editView } from './view-edit.js';
import { historyView } from './view-history.js';

const KIND = '(actor|event|quote|source)';
const ROUTES = [
  [/^\/(?:explore(?:\/timeline|\/events)?)?$/, 'timeline', timelineView],
  [/^\/explore\/actors$/, 'actors', actorsView],
  [/^\/explore\/actors\/([^/]+)$/, 'actor', actorView],
  [/^\/explore\/events\/([^/]+)$/, 'event', eventView],
  [/^\/explore\/quotes$/, 'quotes', quotesView],
  [/^\/explore\/search$/, 'search', searchView],
  [/^\/explore\/sources$/, 'sources', sourcesView],
  [/^\/explore\/sources\/([^/]+)$/, 'source', sourceView],
  [new RegExp(`^/explore/new/${KIND}$`), 'edit', (ctx) => editView(ctx, ctx.params[0], null)],
  [new RegExp(`^/explore/${KIND}s/([^/]+)/edit$`), 'edit', (ctx) => editView(ctx, ctx.params[0], ctx.params[1])],
  [new RegExp(`^/explore/${KIND}s/([^/]+)/history$`), 'history', (ctx) => historyView(ctx, ctx.params[0], ctx.params[1])],
];
const SECTIONS = { timeline: 'Timeline', event: 'Timeline', quotes: 'Quotes', actors: 'Actors', actor: 'Actors', sources: 'Sources', source: 'Sources' };

const main = document.getElementById('main');
const decode = (part) => { try { return decodeURIComponent(part); } catch { return part; } };
let current = null;
let pending = 0;

function notFoundView(ctx) {
  ctx.view = 'not-found';
  ctx.root.append(h('h1', {}, 'Page not found'),
    h('p', {}, 'The explorer has no page at this address. Try the ', h('a', { href: '/explore/timeline' }, 'timeline'), ' or search.'));
  ctx.curl('GET', '/');
}

/** The view for an error the API gave instead of the view's first data. */
function errorView(ctx, error) {
  ctx.root.replaceChildren();
  const gone = error.status === 410;
  if (error.status === 404 || gone) ctx.view = 'not-found';
  if (error.status === 401) openTokenDialog();
  const title = gone ? 'Deleted' : error.status === 404 ? 'Not found' : error.status === 401 ? 'Sign-in needed' : 'Something went wrong';
  const p = error.problem || {};
  ctx.root.append(h('h1', {}, title), alertBox(error, gone && p.deletedAt
    ? h('p', {}, `Deleted by ${p.deletedBy} on ${formatTime(p.deletedAt)}${p.note ? ` (“${p.note}”)` : ''}.`) : null));
  if (gone && ctx.record) {
    ctx.root.append(h('p', {}, h('a', { href: `/explore/${ctx.record.kind}s/${encodeURIComponent(ctx.record.id)}/history`, class: 'history-link' }, 'See its history and restore it')));
  }
}

function curlBox() {
  const code = h('code', { id: 'curl-command' });
  const copy = h('button', { type: 'button', class: 'copy-curl' }, 'Copy as curl');
  copy.addEventListener('click', () => {
    const done = () => setStatus('Copied the curl command.');
    const failed = () => setStatus('Could not copy: select the command and copy it yourself.');
    try { navigator.clipboard.writeText(code.textContent).then(done, failed); } catch { failed(); }
  });
  return { code, box: h('details', { class: 'curl' }, h('summary', {}, 'API request'), h('pre', {}, code), copy) };
}

/** Draw the view for the current URL. `live`: a redraw after a change, keeping scroll and focus. */
async function draw({ live = false, status = '', scroll = null } = {}) {
  if (current) current.controller.abort();
  const controller = new AbortController();
  const path = location.pathname.replace(/\/+$/, '') || '/';
  let route = null, params = [];
  for (const [re, view, fn] of ROUTES) {
    const m = re.exec(path);
    if (m) { route = [view, fn]; params = m.slice(1).map(decode); break; }
  }
  const { code, box } = curlBox();
  const root = document.createDocumentFragment();
  root.append = (...kids) => DocumentFragment.prototype.append.apply(root, kids.flat(Infinity).filter((k) => k != null && k !== false));
  const ctx = {
    view: route ? route[0] : 'not-found', params, query: new URLSearchParams(location.search),
    signal: controller.signal, root, live,
    curl: (...args) => { code.textContent = curl(...args); },
    watch: null, record: null, onToken: null,
  };
  const me = current = { controller, ctx, changed: new Set() };
  const activeId = live || (document.activeElement && main.contains(document.activeElement)) ? document.activeElement.id : '';
  const y = live ? scrollY : scroll;
  main.dataset.view = ctx.view;
  main.setAttribute('aria-busy', 'true');
  pending++;
  try {
    await (route ? route[1](ctx) : notFoundView(ctx));
  } catch (error) {
    if (controller.signal.aborted || error.name === 'AbortError') return;
    errorView(ctx, error);
  } finally {
    pending--;
  }
  if (me !== current) return;
  main.dataset.view = ctx.view;
  main.replaceChildren(ctx.root, box);
  const h1 = main.querySelector('h1');
  if (h1) h1.tabIndex = -1;
  document.title = `${h1 ? h1.textContent : 'Chronicle'} · Chronicle`;
  for (const a of document.querySelectorAll('header nav a')) {
    if (a.textContent === SECTIONS[ctx.view]) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const search = document.getElementById('global-search-input');
  if (ctx.view === 'search' && document.activeElement !== search) search.value = ctx.query.get('q') || '';
  main.setAttribute('aria-busy', 'false');
  if (y != null) scrollTo(0, y);
  const again = activeId && document.getElementById(activeId);
  if (again && main.contains(again)) again.focus({ preventScroll: true });
  else if (!live && h1 && started) h1.focus({ preventScroll: y != null });
  if (status) setStatus(status);
  started = true;
}
let started = false;
/** draw, with any failure of the explorer itself shown rather than left unhandled. */
const render = (options) => draw(options).catch((error) => {
  main.setAttribute('aria-busy', 'false');
  setStatus(`The explorer failed: ${error.message}`);
});

function navigate(href, { replace = false, status = '' } = {}) {
  const target = new URL(href, location.href);
  if (target.origin !== location.origin) { location.href = target.href; return; }
  history.replaceState({ ...(history.state || {}), scroll: scrollY }, '');
  history[replace ? 'replaceState' : 'pushState']({}, '', target.pathname + target.search + target.hash);
  render({ status, scroll: 0 });
}

hooks.navigate = navigate;
hooks.refresh = () => render({ live: true });
// A form being edited is never redrawn: the view only updates what depends on the token.
hooks.tokenChanged = () => {
  live.restart();
  const ctx = current && current.ctx;
  if (ctx && ctx.onToken) ctx.onToken(); else render({ live: true });
};

document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = event.target.closest && event.target.closest('a[href]');
  if (!a || (a.target && a.target !== '_self') || a.hasAttribute('download')) return;
  const target = new URL(a.href, location.href);
  if (target.origin !== location.origin || !/^\/(explore(\/|$)|$)/.test(target.pathname)) return;
  if (target.pathname === location.pathname && target.search === location.search && target.hash) return;
  event.preventDefault();
  navigate(target.href);
});

document.getElementById('global-search').addEventListener('submit', (event) => {
  event.preventDefault();
  const q = document.getElementById('global-search-input').value.trim();
  navigate(`/explore/search${q ? `?q=${encodeURIComponent(q)}` : ''}`);
});

addEventListener('popstate', (event) => render({ scroll: (event.state && event.state.scroll) || 0 }));
history.scrollRestoration = 'manual';

/**
 * Live updates. A record page whose own record changed is redrawn in place (unless something on it
 * is being typed); any other change to what a view shows is only announced, with a Refresh button,
 * so that pages added with "Load more" and typed text stay. Edit forms are never redrawn.
 */
let redraw = 0;
const RECORD_PAGES = ['actor', 'event', 'source'];
function concerns(ctx, change) {
  if (ctx.record && ctx.record.kind === change.kind && ctx.record.id === change.id) return 'own';
  if ((ctx.watch && ctx.watch(change)) || [...main.querySelectorAll('[data-id]')].some((el) => el.dataset.id === change.id)) return 'shown';
  return '';
}
function dirty() {
  return [...main.querySelectorAll('input, textarea, select')].some((el) => {
    if (el.type === 'checkbox' || el.type === 'radio') return el.checked !== el.defaultChecked;
    if (el.tagName !== 'SELECT') return el.value !== el.defaultValue;
    const initial = [...el.options].find((o) => o.defaultSelected) || el.options[0];
    return el.value !== (initial ? initial.value : '');
  });
}
/** "N records changed — Refresh", until the view is drawn again. */
function changedBanner(count) {
  let bar = document.getElementById('changed-banner');
  if (!bar) {
    bar = h('div', { id: 'changed-banner', class: 'changed' }, h('span'),
      h('button', { type: 'button', onclick: () => render({ live: true }) }, 'Refresh'));
    main.prepend(bar);
  }
  bar.firstChild.textContent = `${count} record${count === 1 ? '' : 's'} changed — `;
}
const live = follow((change) => {
  const ctx = current && current.ctx;
  if (!ctx || pending || ownWrites.has(`${change.id}@${change.revision}`)) return;
  const what = concerns(ctx, change);
  if (!what) return;
  const title = titleOf(change.state) || change.id;
  if (ctx.view === 'edit') {
    setStatus(`Updated: ${title}. Someone changed this record; saving will show what changed.`);
  } else if (what === 'own' && RECORD_PAGES.includes(ctx.view) && !dirty()) {
    setStatus(`Updated: ${title}`);
    clearTimeout(redraw);
    redraw = setTimeout(() => { if (!pending && !dirty()) render({ live: true }); }, 300);
  } else {
    current.changed.add(`${change.kind} ${change.id}`);
    changedBanner(current.changed.size);
    setStatus(`Updated: ${title}. Refresh to see it.`);
  }
});

setupTokenDialog();
const follow_ = () => { if (getToken() || !auth.needed) live.start(); };
render().then(() => setTimeout(follow_, 300));
// A page leaving (or entering the back-forward cache) lets go of its stream, so that its
// connection is not held open behind the next page's requests.
addEventListener('pagehide', () => live.stop());
addEventListener('pageshow', (event) => {
  if (!event.persisted) return;
  follow_();
  if (current && current.ctx.view !== 'edit') render({ live: true });
});
