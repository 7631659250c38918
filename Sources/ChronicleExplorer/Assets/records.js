// How each kind of record looks in a list, lists loaded a cursor page at a time, and the
// Edit / Delete / History actions of a record page.

import { h, alertBox, highlight } from './dom.js';
import { request, url, enc, getToken, remember } from './api.js';
import { formatPeriod, datetime } from './dates.js';
import { confirmDialog, navigate, openTokenDialog } from './ui.js';

export const LIMIT = 50;
export const PLURAL = { event: 'events', actor: 'actors', quote: 'quotes', source: 'sources' };

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

/** A quote with its speaker and event linked; `terms` are highlighted. */
export function quoteItem(quote, { terms, event = true } = {}) {
  const id = enc(quote.id);
  return h('li', { 'data-id': quote.id, 'data-kind': 'quote', class: 'record quote' },
    h('blockquote', { lang: quote.language || null }, highlight(quote.text, terms)),
    h('p', { class: 'meta' },
      quote.speaker
        ? h('a', { href: actorPage(quote.speaker) }, quote.speaker.name || quote.speaker.id)
        : h('span', {}, 'Unnamed speaker'),
      quote.said ? when(quote.said) : null,
      event && quote.eventId ? h('a', { href: pageOf('event', quote.eventId) }, 'The event') : null,
      h('span', { class: `tag ver-${quote.verification}` }, quote.verification),
      getToken() ? h('a', { href: `/explore/quotes/${id}/edit`, class: 'edit-link' }, 'Edit quote') : null,
      getToken() ? h('a', { href: `/explore/quotes/${id}/history`, class: 'history-link' }, 'History') : null),
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

/** A titled part of a page. */
export function section(title, id, ...children) {
  return h('section', { 'aria-labelledby': `${id}-title`, class: 'part' }, h('h2', { id: `${id}-title` }, title), children);
}

/**
 * A list filled one cursor page at a time from `path`, with a "Load more" button while the API
 * gives a `next` cursor. Errors show inside the block. `ready` resolves once the first page is in.
 */
export function listBlock(ctx, { id, path, params = {}, item, empty = 'Nothing here yet.', onPage, tag = 'ol' }) {
  const list = h(tag, { id, class: 'records' });
  const box = h('div', { class: 'list-block' }, list);
  const more = h('button', { type: 'button', class: 'load-more' }, 'Load more');
  let next = null;
  const load = async (cursor) => {
    const { data } = await request(url(path, { ...params, limit: LIMIT, cursor }), { signal: ctx.signal });
    const items = (data && data.data) || [];
    for (const record of items) list.append(item(record));
    if (onPage) onPage(items);
    next = data && data.next;
    if (next) box.append(more); else more.remove();
    if (!list.children.length) box.append(h('p', { class: 'empty' }, empty));
  };
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
  const ready = load().catch(fail);
  return { el: box, list, ready };
}

/** Edit, Delete and History for a record page, when signed in. */
export function recordActions(kind, record, title) {
  if (!getToken()) return null;
  const base = `/explore/${PLURAL[kind]}/${enc(record.id)}`;
  const bar = h('div', { class: 'actions' },
    h('a', { href: `${base}/edit`, class: 'edit-link button' }, 'Edit'),
    h('a', { href: `${base}/history`, class: 'history-link button' }, 'History'),
    h('button', { type: 'button', class: 'delete-button danger', onclick: () => deleteRecord(kind, record, title, bar) }, 'Delete'));
  return bar;
}

/** What may refer to a record, as lists fetched from the API. */
function referrers(kind, id) {
  const i = enc(id);
  if (kind === 'actor') return [['Events', 'event', `/v1/actors/${i}/events`, {}], ['Quotes', 'quote', `/v1/actors/${i}/quotes`, {}]];
  if (kind === 'event') return [['Quotes', 'quote', `/v1/events/${i}/quotes`, {}]];
  if (kind === 'source') return [['Events', 'event', '/v1/events', { source: id }], ['Quotes', 'quote', '/v1/quotes', { source: id }]];
  return [];
}

/** Ask, delete, and on 409 show what still refers to the record. */
export async function deleteRecord(kind, record, title, after) {
  const ok = await confirmDialog(`Delete this ${kind}?`, `“${title}” will be deleted. Its history is kept and it can be restored.`);
  if (!ok) return;
  document.getElementById('delete-blocked')?.remove();
  try {
    await request(`/v1/${PLURAL[kind]}/${enc(record.id)}`, { method: 'DELETE' });
    remember({ id: record.id, version: (record.version || 0) + 1 });
    const back = { event: '/explore/timeline', actor: '/explore/actors', quote: '/explore/quotes', source: '/explore/sources' }[kind];
    navigate(back, { status: `Deleted “${title}”.` });
  } catch (error) {
    if (error.status === 401) openTokenDialog();
    const box = error.status === 409
      ? h('section', { id: 'delete-blocked', role: 'alert', class: 'alert' },
        h('h2', {}, 'Not deleted: other records still refer to it'), h('p', {}, error.message))
      : h('div', { id: 'delete-blocked', role: 'alert', class: 'alert' }, h('p', {}, error.message));
    after.after(box);
    if (error.status !== 409) return;
    const controller = { signal: new AbortController().signal };
    for (const [label, refKind, path, params] of referrers(kind, record.id)) {
      const block = listBlock(controller, {
        path, params, empty: `No ${label.toLowerCase()}.`,
        item: refKind === 'event' ? eventItem : (q) => quoteItem(q),
      });
      box.append(h('h3', {}, label), block.el);
    }
  }
}
