// One event: its dates as precisely as known, participants with roles, sources with their
// excerpts, and its quotes.

import { h } from './dom.js';
import { request, url, enc } from './api.js';
import { when, section, recordActions, quoteItem, pageOf, LIMIT } from './records.js';

export async function eventView(ctx) {
  const key = ctx.params[0];
  ctx.record = { kind: 'event', id: key };
  ctx.curl('GET', `/v1/events/${enc(key)}`);
  const { data: event } = await request(`/v1/events/${enc(key)}`, { signal: ctx.signal });
  ctx.watch = (c) => (c.kind === 'quote' && c.state && c.state.eventId === event.id)
    || (c.kind === 'actor' && event.participants.some((p) => p.actorId === c.id))
    || (c.kind === 'source' && event.citations.some((x) => x.sourceId === c.id));

  const participants = h('ul', { id: 'participants', class: 'records' }, event.participants.map((p) =>
    h('li', { 'data-id': p.actorId, 'data-kind': 'actor', class: 'record' },
      h('a', { href: `/explore/actors/${enc(p.slug || p.actorId)}` }, p.name || p.actorId), ' ',
      h('span', { class: 'tag role' }, p.role))));
  const citations = h('ul', { id: 'citations', class: 'records' }, event.citations.map((c) =>
    h('li', { 'data-id': c.sourceId, 'data-kind': 'source', class: 'record citation' },
      h('a', { href: pageOf('source', c.sourceId) }, c.title || c.sourceId),
      c.excerpt ? h('blockquote', {}, c.excerpt) : null,
      c.url ? h('p', { class: 'meta' }, h('a', { href: c.url, rel: 'noopener external', class: 'external' }, 'Read it at the source')) : null)));

  // The event embeds its quotes; show them a page at a time.
  const all = event.quotes || [];
  const quotes = h('ol', { id: 'event-quotes', class: 'records' });
  const quoteBox = h('div', { class: 'list-block' }, quotes);
  const more = h('button', { type: 'button', class: 'load-more' }, 'Load more');
  const show = () => {
    const from = quotes.children.length;
    for (const q of all.slice(from, from + LIMIT)) quotes.append(quoteItem(q, { event: false }));
    if (quotes.children.length < all.length) quoteBox.append(more); else more.remove();
    return from;
  };
  more.addEventListener('click', () => { const from = show(); quotes.children[from]?.querySelector('a')?.focus(); });
  show();
  if (!all.length) quoteBox.append(h('p', { class: 'empty' }, 'No quotes about this event.'));

  const where = [event.locationName, event.locationCountry].filter(Boolean).join(', ');
  ctx.root.append(h('article', { class: 'record-page' },
    h('h1', {}, event.title),
    h('p', { class: 'dates' }, when(event.start, event.end)),
    recordActions('event', event, event.title),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Category'), h('dd', {}, h('a', { href: url('/explore/timeline', { category: event.category }) }, event.category)),
      where ? [h('dt', {}, 'Where'), h('dd', {}, where)] : null),
    event.summary ? h('p', { class: 'summary' }, event.summary) : null,
    section('Participants', 'participants', participants, event.participants.length ? null : h('p', { class: 'empty' }, 'No participants recorded.')),
    section('Sources', 'citations', citations, event.citations.length ? null : h('p', { class: 'empty' }, 'No sources cited.')),
    section('Quotes', 'quotes', quoteBox)));
}
