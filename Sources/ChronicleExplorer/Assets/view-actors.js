// Actors: the list (searchable) and one actor with aliases, events with roles, and quotes.

import { h, safeHref } from './dom.js';
import { request, url, enc } from './api.js';
import { listBlock, actorItem, eventItem, quoteItem, section, recordActions } from './records.js';
import { searchableList } from './forms.js';

export const actorsView = (ctx) => searchableList(ctx, 'actor', 'Actors', actorItem);

export async function actorView(ctx) {
  const key = ctx.params[0];
  ctx.record = { kind: 'actor', id: key };
  ctx.curl('GET', `/v1/actors/${enc(key)}`);
  const { data: actor, etag } = await request(`/v1/actors/${enc(key)}`, { signal: ctx.signal });
  ctx.record = { kind: 'actor', id: actor.id };
  ctx.watch = (c) => (c.kind === 'event' && c.state && c.state.participants && c.state.participants.some((p) => p.actorId === actor.id))
    || (c.kind === 'quote' && c.state && c.state.speaker && c.state.speaker.id === actor.id);
  const id = enc(actor.id);
  const events = listBlock(ctx, { id: 'actor-events', path: `/v1/actors/${id}/events`, item: eventItem, empty: 'No events yet.' });
  const quotes = listBlock(ctx, { id: 'actor-quotes', path: `/v1/actors/${id}/quotes`, item: (q) => quoteItem(q), empty: 'No quotes yet.' });
  const facts = h('dl', { class: 'facts' },
    h('dt', {}, 'Kind'), h('dd', {}, actor.kind),
    actor.country ? [h('dt', {}, 'Country'), h('dd', {}, actor.country)] : null,
    h('dt', {}, 'Slug'), h('dd', {}, h('code', {}, actor.slug)),
    actor.wikidataId ? [h('dt', {}, 'Wikidata'), h('dd', {}, h('a', {
      id: 'wikidata', href: safeHref(`https://www.wikidata.org/wiki/${enc(actor.wikidataId)}`), rel: 'noopener external',
    }, actor.wikidataId))] : null);
  ctx.root.append(
    h('article', { class: 'record-page' },
      h('h1', {}, actor.name),
      h('p', { class: 'description' }, actor.description || 'No description yet.'),
      recordActions(ctx, 'actor', actor, etag),
      facts,
      section('Also known as', 'aliases', actor.aliases.length
        ? h('ul', { id: 'aliases', class: 'aliases' }, actor.aliases.map((a) => h('li', { lang: a.language || '' }, a.name,
          a.language ? h('span', { class: 'lang', lang: 'en' }, ` (${a.language})`) : null)))
        : [h('ul', { id: 'aliases', class: 'aliases' }), h('p', { class: 'empty' }, 'No aliases.')]),
      section('Events', 'events', h('p', { class: 'hint' }, 'With this actor’s role in each.'), events.el),
      section('Quotes', 'quotes', quotes.el),
      h('p', {}, h('a', { href: url('/explore/timeline', { actor: actor.slug }) }, `${actor.name} on the timeline`))));
  await Promise.all([events.ready, quotes.ready]);
}
