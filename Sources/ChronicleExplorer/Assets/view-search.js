// Search across everything: one ranked query, hits grouped by kind, snippets with the API's
// [marked] matches shown as <mark>. Quote hits get their speaker and event as those arrive.

import { h, marked } from './dom.js';
import { request, url, enc } from './api.js';
import { pageOf, quoteMeta, LIMIT } from './records.js';
import { field } from './forms.js';
import { navigate } from './ui.js';

const KINDS = [['event', 'Events'], ['actor', 'Actors'], ['quote', 'Quotes'], ['source', 'Sources']];
const AT_ONCE = 4;

const searchLink = (q) => h('a', { href: url('/explore/quotes', { q }) }, 'In the quotes search');

function hitItem(hit, q) {
  const text = hit.snippet || '';
  const inTitle = text.replace(/[[\]]/g, '') === hit.title;
  const title = inTitle ? marked(text) : hit.title;
  const snippet = inTitle || !text ? null : h('p', { class: 'snippet' }, marked(text));
  if (hit.type !== 'quote') {
    return h('li', { 'data-id': hit.id, 'data-kind': hit.type, class: 'record' }, h('a', { href: pageOf(hit.type, hit.id) }, title), snippet);
  }
  return h('li', { 'data-id': hit.id, 'data-kind': 'quote', class: 'record quote' },
    h('blockquote', {}, title), snippet,
    h('p', { class: 'meta' }, h('span', { class: 'pending' }, 'Finding the speaker…'), searchLink(q)));
}

/** Speaker and event of the quote hits, which a hit does not carry: a few requests at a time, each drawn as it comes. */
function fillQuotes(items, q, signal) {
  const queue = [...items];
  const worker = async () => {
    for (let li; !signal.aborted && (li = queue.shift());) {
      try {
        const { data } = await request(`/v1/quotes/${enc(li.dataset.id)}?fields=id,speaker,eventId,said,language,verification`, { signal });
        if (data.language) li.querySelector('blockquote').lang = data.language;
        li.querySelector('.meta').replaceWith(quoteMeta(data, {}, searchLink(q)));
      } catch (error) {
        if (error.name === 'AbortError') return;
        li.querySelector('.pending')?.remove();
      }
    }
  };
  for (let i = 0; i < AT_ONCE; i++) worker();
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
  for (const [kind, label] of KINDS) {
    const group = hits.filter((x) => x.type === kind);
    if (!group.length) continue;
    const items = group.map((hit) => hitItem(hit, q));
    results.append(h('section', { 'data-group': kind, 'aria-labelledby': `group-${kind}`, class: 'part' },
      h('h2', { id: `group-${kind}` }, `${label} (${group.length})`), h('ol', { class: 'records' }, items)));
    if (kind === 'quote') fillQuotes(items, q, ctx.signal);
  }
  if (!hits.length) results.append(h('p', { class: 'empty' }, 'Nothing matches. Try fewer words, or prefix* forms.'));
  else if (hits.length >= LIMIT) results.append(h('p', { class: 'hint' }, `The ${LIMIT} best matches are shown; add words or choose a kind to narrow them.`));
}
