// One event: its dates as precisely as known, participants with roles, sources with their
// excerpts, and its quotes.

import { h, externalLink } from './dom.js';
import { request, url, enc } from './api.js';
import { when, section, recordActions, quoteItem, pageOf, listBlock } from './records.js';

export async function eventView(ctx) {
  const key = ctx.params[0];
  ctx.record = { kind: 'event', id: key };
  ctx.curl('GET', `/v1/events/${enc(key)}`);
  const { data: event, etag } = await request(`/v1/events/${enc(key)}`, { signal: ctx.signal });
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
      c.url ? h('p', { class: 'meta' }, externalLink(c.url, 'Read it at the source')) : null)));

  const quotes = listBlock(ctx, {
    id: 'event-quotes', path: `/v1/events/${enc(event.id)}/quotes`, item: (q) => quoteItem(q, { event: false }),
    empty: 'No quotes about this event.',
  });

  const where = [event.locationName, event.locationCountry].filter(Boolean).join(', ');
  ctx.root.append(h('article', { class: 'record-page' },
    h('h1', {}, event.title),
    h('p', { class: 'dates' }, when(event.start, event.end)),
    recordActions(ctx, 'event', event, etag),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Category'), h('dd', {}, h('a', { href: url('/explore/timeline', { category: event.category }) }, event.category)),
      where ? [h('dt', {}, 'Where'), h('dd', {}, where)] : null),
    event.summary ? h('p', { class: 'summary' }, event.summary) : null,
    section('Participants', 'participants', participants, event.participants.length ? null : h('p', { class: 'empty' }, 'No participants recorded.')),
    section('Sources', 'citations', citations, event.citations.length ? null : h('p', { class: 'empty' }, 'No sources cited.')),
    section('Quotes', 'quotes', quotes.el)));
  await quotes.ready;
}
