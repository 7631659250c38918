// How each kind of record looks in a list, lists loaded a cursor page at a time, and the
// Edit / Delete / History actions of a record page.

import { h, alertBox, highlight } from './dom.js';
import { request, url, enc, getToken, remember } from './api.js';
import { formatPeriod, datetime } from './dates.js';
import { confirmDialog, navigate, openTokenDialog, setStatus, hooks } from './ui.js';

export const LIMIT = 50;
export const PLURAL = { event: 'events', actor: 'actors', quote: 'quotes', source: 'sources' };
/** Where each kind is listed: where a deleted record's page or a cancelled form leads. */
export const LIST_PAGE = { event: '/explore/timeline', actor: '/explore/actors', quote: '/explore/quotes', source: '/explore/sources' };

/** A record's name, title or text, cut to `max` characters. */
export function titleOf(record, max = 80) {
  const t = (record && (record.name || record.title || record.text)) || '';
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Whether two JSON values are equal. */
export const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields that differ from one state to the next, with their new values (null when gone): a merge patch. */
export function diff(before, after) {
  const a = before || {}, b = after || {};
  return Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !same(a[k], b[k])).map((k) => [k, b[k] ?? null]));
}

/** How a field's value reads in a list of changes or of conflicts. */
export function shown(value) {
  if (value == null || value === '') return '(empty)';
  if (Array.isArray(value)) {
    if (!value.length) return '(none)';
    return value.map((x) => (x && typeof x === 'object'
      ? [x.name || x.title || x.actorId || x.sourceId, x.role || x.language, x.excerpt && `“${x.excerpt}”`].filter(Boolean).join(' · ')
      : String(x))).join('; ');
  }
  if (typeof value === 'object') return value.name || value.title || JSON.stringify(value);
  return String(value);
}

/** The explorer page of a record (quotes have none). */
export function pageOf(kind, id) {
  return kind === 'quote' ? null : `/explore/${PLURAL[kind]}/${enc(id)}`;
}

export const actorPage = (actor) => `/explore/actors/${enc(actor.slug || actor.id)}`;

export function when(start, end) {
  const dt = datetime(start, end);
  return h('time', { datetime: dt }, formatPeriod(start, end));
}

export function eventItem(event) {
  return h('li', { 'data-id': event.id, 'data-kind': 'event', class: 'record' },
    when(event.start, event.end), ' ',
    h('a', { href: pageOf('event', event.id) }, event.title),
    h('span', { class: 'meta' },
      h('span', { class: `tag cat-${event.category}` }, event.category),
      event.roles && event.roles.length ? h('span', { class: 'roles' }, `as ${event.roles.join(', ')}`) : null,
      event.locationName || event.locationCountry
        ? h('span', {}, [event.locationName, event.locationCountry].filter(Boolean).join(', ')) : null));
}

/** The line under a quote: speaker, date, event, verification, Edit and History for editors, `extra`. */
export function quoteMeta(quote, { event = true } = {}, ...extra) {
  const id = enc(quote.id);
  return h('p', { class: 'meta' },
    quote.speaker
      ? h('a', { href: actorPage(quote.speaker) }, quote.speaker.name || quote.speaker.id)
      : h('span', {}, 'Unnamed speaker'),
    quote.said ? when(quote.said) : null,
    event && quote.eventId ? h('a', { href: pageOf('event', quote.eventId) }, 'The event') : null,
    quote.verification ? h('span', { class: `tag ver-${quote.verification}` }, quote.verification) : null,
    getToken() ? [h('a', { href: `/explore/quotes/${id}/edit`, class: 'edit-link' }, 'Edit quote'),
      h('a', { href: `/explore/quotes/${id}/history`, class: 'history-link' }, 'History')] : null,
    extra);
}

/** A quote with its speaker and event linked; `terms` are highlighted. */
export function quoteItem(quote, { terms, event = true } = {}) {
  return h('li', { 'data-id': quote.id, 'data-kind': 'quote', class: 'record quote' },
    h('blockquote', { lang: quote.language || null }, highlight(quote.text, terms)),
    quoteMeta(quote, { event }),
    quote.context ? h('p', { class: 'context' }, quote.context) : null);
}

export function actorItem(actor) {
  return h('li', { 'data-id': actor.id, 'data-kind': 'actor', class: 'record' },
    h('a', { href: actorPage(actor) }, actor.name),
    h('span', { class: 'meta' }, h('span', { class: 'tag' }, actor.kind), actor.country,
      actor.description ? h('span', {}, actor.description) : null));
}

export function sourceItem(source) {
  return h('li', { 'data-id': source.id, 'data-kind': 'source', class: 'record' },
    h('a', { href: pageOf('source', source.id) }, source.title),
    h('span', { class: 'meta' }, source.publisher, source.published ? when(source.published) : null));
}

/** "New <kind>" for editors. */
export const newButton = (kind) => (getToken() ? h('p', { class: 'actions' }, h('a', { href: `/explore/new/${kind}`, class: 'button' }, `New ${kind}`)) : null);

/** A titled part of a page. */
export function section(title, id, ...children) {
  return h('section', { 'aria-labelledby': `${id}-title`, class: 'part' }, h('h2', { id: `${id}-title` }, title), children);
}

/**
 * A list filled one cursor page at a time from `path` (the first page may be given, already read),
 * with a "Load more" button while the API gives a `next` cursor. `item(record, index, page)` draws a
 * record; `onPage(records, next)` hears of each page. Errors show inside the block. `ready` resolves
 * once the first page is in.
 */
export function listBlock(ctx, { id, path, params = {}, item, empty = 'Nothing here yet.', onPage, tag = 'ol', first }) {
  const list = h(tag, { id, class: 'records' });
  const box = h('div', { class: 'list-block' }, list);
  const more = h('button', { type: 'button', class: 'load-more' }, 'Load more');
  let next = null;
  const show = (data) => {
    const items = (data && data.data) || [];
    items.forEach((record, i) => list.append(item(record, i, items)));
    next = data && data.next;
    if (onPage) onPage(items, next);
    if (next) box.append(more); else more.remove();
    if (!list.children.length) box.append(h('p', { class: 'empty' }, empty));
  };
  const load = async (cursor) => show((await request(url(path, { ...params, limit: LIMIT, cursor }), { signal: ctx.signal })).data);
  const fail = (error) => {
    if (ctx.signal.aborted || (error && error.name === 'AbortError')) return;
    if (error.status === 401) openTokenDialog();
    box.append(alertBox(error));
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    const count = list.children.length;
    try { await load(next); } catch (e) { fail(e); }
    more.disabled = false;
    if (!more.isConnected) list.children[count]?.querySelector('a')?.focus();
  });
  const ready = first ? Promise.resolve(show(first)) : load().catch(fail);
  return { el: box, list, ready };
}

/** Edit, Delete and History for a record page read with `etag`, when signed in. */
export function recordActions(ctx, kind, record, etag) {
  if (!getToken()) return null;
  const base = `/explore/${PLURAL[kind]}/${enc(record.id)}`;
  return h('div', { class: 'actions' },
    h('a', { href: `${base}/edit`, class: 'edit-link button' }, 'Edit'),
    h('a', { href: `${base}/history`, class: 'history-link button' }, 'History'),
    deleteButton(ctx, kind, () => ({ record, etag })));
}

/** A Delete button; `read()` gives the record and the ETag it was read with, sent as If-Match. */
export function deleteButton(ctx, kind, read) {
  const button = h('button', { type: 'button', class: 'delete-button danger' }, 'Delete');
  button.addEventListener('click', () => deleteRecord(ctx, kind, read(), button.parentElement));
  return button;
}

/** What may refer to a record: [label, kind, path, params] of lists fetched from the API. */
function referrers(kind, id) {
  const own = (k) => [k === 'event' ? 'Events' : 'Quotes', k, `/v1/${PLURAL[kind]}/${enc(id)}/${PLURAL[k]}`, {}];
  const citing = (k) => [k === 'event' ? 'Events' : 'Quotes', k, `/v1/${PLURAL[k]}`, { source: id }];
  return { actor: [own('event'), own('quote')], event: [own('quote')], source: [citing('event'), citing('quote')] }[kind] || [];
}

/**
 * Ask, then delete if the record is still as read (If-Match). On 412 offer to reload it; on 409 show
 * what still refers to it. Nothing happens on a view the user has left meanwhile but a status line.
 */
async function deleteRecord(ctx, kind, { record, etag }, after) {
  const title = titleOf(record);
  const ok = await confirmDialog(`Delete this ${kind}?`, `“${title}” will be deleted. Its history is kept and it can be restored.`);
  if (!ok || ctx.signal.aborted) return;
  document.getElementById('delete-blocked')?.remove();
  try {
    await request(`/v1/${PLURAL[kind]}/${enc(record.id)}`, { method: 'DELETE', headers: etag ? { 'If-Match': etag } : {} });
    remember({ id: record.id, version: (record.version || 0) + 1 });
    if (ctx.signal.aborted) setStatus(`Deleted “${title}”.`);
    else navigate(LIST_PAGE[kind], { status: `Deleted “${title}”.` });
  } catch (error) {
    if (error.status === 401) openTokenDialog();
    if (ctx.signal.aborted) { setStatus(`“${title}” was not deleted: ${error.message}`); return; }
    const box = h('section', { id: 'delete-blocked', role: 'alert', class: 'alert' });
    after.after(box);
    if (error.status === 412) {
      box.append(h('h2', {}, `Not deleted: this ${kind} changed since the page was read`),
        h('p', {}, 'Look at the current version before deciding to delete it.'),
        h('button', { type: 'button', id: 'delete-reload', onclick: () => hooks.refresh() }, `Reload the ${kind}`));
      return;
    }
    if (error.status !== 409) { box.append(h('p', {}, error.message)); return; }
    box.append(h('h2', {}, 'Not deleted: other records still refer to it'), h('p', {}, error.message));
    for (const [label, refKind, path, params] of referrers(kind, record.id)) {
      const block = listBlock(ctx, {
        path, params, empty: `No ${label.toLowerCase()}.`,
        item: refKind === 'event' ? eventItem : (q) => quoteItem(q),
      });
      box.append(h('h3', {}, label), block.el);
    }
  }
}
