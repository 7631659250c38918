// Sources: the list, and one source with the events and quotes that cite it.

import { h, externalLink } from './dom.js';
import { request, enc } from './api.js';
import { listBlock, sourceItem, eventItem, quoteItem, section, recordActions, when } from './records.js';
import { searchableList } from './forms.js';

export const sourcesView = (ctx) => searchableList(ctx, 'source', 'Sources', sourceItem);

const cites = (id) => (c) => c.state && Array.isArray(c.state.citations) && c.state.citations.some((x) => x.sourceId === id);

export async function sourceView(ctx) {
  const id = ctx.params[0];
  ctx.record = { kind: 'source', id };
  ctx.curl('GET', `/v1/sources/${enc(id)}`);
  const { data: source, etag } = await request(`/v1/sources/${enc(id)}`, { signal: ctx.signal });
  ctx.watch = (c) => (c.kind === 'event' || c.kind === 'quote') && cites(source.id)(c);
  const events = listBlock(ctx, { id: 'source-events', path: '/v1/events', params: { source: source.id }, item: eventItem, empty: 'No events cite it.' });
  const quotes = listBlock(ctx, { id: 'source-quotes', path: '/v1/quotes', params: { source: source.id }, item: (q) => quoteItem(q), empty: 'No quotes cite it.' });
  const fact = (label, value) => (value ? [h('dt', {}, label), h('dd', {}, value)] : null);
  ctx.root.append(h('article', { class: 'record-page' },
    h('h1', {}, source.title),
    recordActions(ctx, 'source', source, etag),
    h('dl', { class: 'facts' },
      fact('Publisher', source.publisher),
      fact('Author', source.author),
      fact('Published', source.published && when(source.published)),
      fact('Accessed', source.accessed && when(source.accessed)),
      fact('Address', source.url && externalLink(source.url))),
    source.url || source.publisher || source.published ? null : h('p', { class: 'hint' }, 'The source names no publisher, date or web address.'),
    section('Events citing it', 'source-events-part', events.el),
    section('Quotes citing it', 'source-quotes-part', quotes.el)));
  await Promise.all([events.ready, quotes.ready]);
}
