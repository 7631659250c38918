// Quotes: full-text search with filters, matches highlighted whatever their accents and case.

import { h, field, choice, formParams, queryTerms } from './dom.js';
import { url, getToken } from './api.js';
import { listBlock, quoteItem, LIMIT } from './records.js';
import { navigate } from './ui.js';

export const VERIFICATIONS = ['unverified', 'verified', 'disputed', 'misattributed'];
const FILTERS = ['q', 'speaker', 'from', 'to', 'language', 'verification'];

export async function quotesView(ctx) {
  const filters = {};
  for (const k of FILTERS) if (ctx.query.get(k)) filters[k] = ctx.query.get(k).trim();
  ctx.watch = (change) => change.kind === 'quote';
  ctx.curl('GET', url('/v1/quotes', { ...filters, limit: LIMIT }));
  const input = (name, label, hint, extra = {}) =>
    field(label, h('input', { id: `qf-${name}`, name, value: filters[name], ...extra }), hint);
  const form = h('form', { id: 'quote-filters', class: 'filters', action: '/explore/quotes' },
    input('q', 'Words', 'words; prefix* for beginnings', { type: 'search' }),
    input('speaker', 'Speaker', 'slug or id'),
    input('from', 'Said from', 'e.g. 2022-03', { size: 10 }),
    input('to', 'Said to', 'e.g. 2022-03', { size: 10 }),
    input('language', 'Language', 'e.g. en, ru, be', { size: 6 }),
    field('Verification', choice({ id: 'qf-verification', name: 'verification' }, VERIFICATIONS, filters.verification), 'e.g. verified'),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'quote-apply' }, 'Search'),
      h('a', { href: '/explore/quotes' }, 'Clear filters')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = formParams(form);
    navigate(`/explore/quotes${params.toString() ? `?${params}` : ''}`);
  });
  const terms = queryTerms(filters.q);
  const block = listBlock(ctx, {
    id: 'quote-results', path: '/v1/quotes', params: filters, item: (q) => quoteItem(q, { terms }),
    empty: 'No quotes match.',
  });
  ctx.root.append(h('h1', {}, filters.q ? `Quotes matching “${filters.q}”` : 'Quotes'),
    getToken() ? h('p', { class: 'actions' }, h('a', { href: '/explore/new/quote', class: 'button' }, 'New quote')) : null,
    form, block.el);
  await block.ready;
}
