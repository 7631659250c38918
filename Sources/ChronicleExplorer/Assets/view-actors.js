// Actors: the list (searchable) and one actor with aliases, events with roles, and quotes.

import { h, field, formParams } from './dom.js';
import { request, url, enc, getToken } from './api.js';
import { listBlock, actorItem, eventItem, quoteItem, section, recordActions, LIMIT } from './records.js';
import { navigate } from './ui.js';

/** A one-box search form for a list view. */
export function searchForm(id, path, label, value) {
  const form = h('form', { id, class: 'filters one', action: path, role: 'search', 'aria-label': label },
    field(label, h('input', { type: 'search', id: `${id}-q`, name: 'q', value }), 'words; prefix* for word beginnings'),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Search')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = formParams(form);
    navigate(`${path}${params.toString() ? `?${params}` : ''}`);
  });
  return form;
}

export async function actorsView(ctx) {
  const q = ctx.query.get('q') || '';
  const params = { q };
  ctx.watch = (change) => change.kind === 'actor';
  ctx.curl('GET', url('/v1/actors', { ...params, limit: LIMIT }));
  const block = listBlock(ctx, { id: 'actor-list', tag: 'ul', path: '/v1/actors', params, item: actorItem, empty: 'No actors match.' });
  ctx.root.append(h('h1', {}, q ? `Actors matching “${q}”` : 'Actors'),
    getToken() ? h('p', { class: 'actions' }, h('a', { href: '/explore/new/actor', class: 'button' }, 'New actor')) : null,
    searchForm('actor-search', '/explore/actors', 'Search actors', q), block.el);
  await block.ready;
}

export async function actorView(ctx) {
  const key = ctx.params[0];
  ctx.record = { kind: 'actor', id: key };
  ctx.curl('GET', `/v1/actors/${enc(key)}`);
  const { data: actor } = await request(`/v1/actors/${enc(key)}`, { signal: ctx.signal });
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
      id: 'wikidata', href: `https://www.wikidata.org/wiki/${enc(actor.wikidataId)}`, rel: 'noopener external',
    }, actor.wikidataId))] : null);
  ctx.root.append(
    h('article', { class: 'record-page' },
      h('h1', {}, actor.name),
      h('p', { class: 'description' }, actor.description || 'No description yet.'),
      recordActions('actor', actor, actor.name),
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
