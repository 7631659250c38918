// Search across everything: one ranked query, hits grouped by kind, snippets with the API's
// [marked] matches shown as <mark>.

import { h, marked, field } from './dom.js';
import { request, url, enc } from './api.js';
import { pageOf, actorPage, LIMIT } from './records.js';
import { navigate } from './ui.js';

const KINDS = [['event', 'Events'], ['actor', 'Actors'], ['quote', 'Quotes'], ['source', 'Sources']];

/** Speaker and event of the quote hits, which the search hit does not carry (a few at a time). */
async function quoteDetails(ids, signal) {
  const found = new Map();
  const queue = [...ids];
  const worker = async () => {
    for (let id; (id = queue.shift());) {
      try {
        const { data } = await request(`/v1/quotes/${enc(id)}?fields=id,speaker,eventId,said,language`, { signal });
        found.set(id, data);
      } catch (error) { if (error.name === 'AbortError') throw error; }
    }
  };
  await Promise.all([1, 2, 3, 4, 5].map(worker));
  return found;
}

function hitItem(hit, quote, q) {
  const text = hit.snippet || '';
  const inTitle = text.replace(/[[\]]/g, '') === hit.title;
  const title = inTitle ? marked(text) : hit.title;
  const snippet = inTitle || !text ? null : h('p', { class: 'snippet' }, marked(text));
  if (hit.type !== 'quote') {
    return h('li', { 'data-id': hit.id, 'data-kind': hit.type, class: 'record' }, h('a', { href: pageOf(hit.type, hit.id) }, title), snippet);
  }
  return h('li', { 'data-id': hit.id, 'data-kind': 'quote', class: 'record quote' },
    h('blockquote', { lang: (quote && quote.language) || null }, title), snippet,
    h('p', { class: 'meta' },
      quote && quote.speaker ? h('a', { href: actorPage(quote.speaker) }, quote.speaker.name || quote.speaker.id) : h('span', {}, 'Unnamed speaker'),
      quote && quote.eventId ? h('a', { href: pageOf('event', quote.eventId) }, 'The event') : null,
      h('a', { href: url('/explore/quotes', { q }) }, 'In the quotes search')));
}

export async function searchView(ctx) {
  const q = (ctx.query.get('q') || '').trim();
  const type = KINDS.some(([k]) => k === ctx.query.get('type')) ? ctx.query.get('type') : '';
  const request_ = url('/v1/search', { q: q || 'WORDS', type, limit: LIMIT });
  ctx.curl('GET', request_);
  ctx.watch = () => false;

  const form = h('form', { id: 'search-form', class: 'filters one', action: '/explore/search', role: 'search', 'aria-label': 'Search this page' },
    field('Search for', h('input', { type: 'search', id: 'search-q', name: 'q', value: q }),
      'words, "exact phrases", OR, NOT, prefix*'),
    h('fieldset', { class: 'kinds' }, h('legend', {}, 'Kind'),
      [['', 'All'], ...KINDS].map(([k, label]) => h('label', {},
        h('input', { type: 'radio', name: 'type', value: k, checked: k === type }), ` ${label}`))),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Search')));
  const go = () => {
    const data = new FormData(form);
    navigate(url('/explore/search', { q: (data.get('q') || '').trim(), type: data.get('type') }));
  };
  form.addEventListener('submit', (event) => { event.preventDefault(); go(); });
  form.addEventListener('change', (event) => { if (event.target.name === 'type') go(); });

  const results = h('div', { id: 'search-results' });
  ctx.root.append(h('h1', {}, q ? `Search: ${q}` : 'Search'), form, results);
  if (!q) {
    results.append(h('p', { class: 'empty' }, 'Type words to search events, actors, quotes and sources.'));
    return;
  }
  const { data } = await request(request_, { signal: ctx.signal });
  const hits = data.data || [];
  const quotes = await quoteDetails(hits.filter((x) => x.type === 'quote').map((x) => x.id), ctx.signal);
  for (const [kind, label] of KINDS) {
    const group = hits.filter((x) => x.type === kind);
    if (!group.length) continue;
    results.append(h('section', { 'data-group': kind, 'aria-labelledby': `group-${kind}`, class: 'part' },
      h('h2', { id: `group-${kind}` }, `${label} (${group.length})`),
      h('ol', { class: 'records' }, group.map((hit) => hitItem(hit, quotes.get(hit.id), q)))));
  }
  if (!hits.length) results.append(h('p', { class: 'empty' }, 'Nothing matches. Try fewer words, or prefix* forms.'));
  else if (hits.length >= LIMIT) results.append(h('p', { class: 'hint' }, `The ${LIMIT} best matches are shown; add words or choose a kind to narrow them.`));
}
