// Quotes: full-text search with filters, matches highlighted whatever their accents and case.

import { h, queryTerms } from './dom.js';
import { url } from './api.js';
import { listBlock, quoteItem, newButton, LIMIT } from './records.js';
import { field, choice, readFilters, filterInput, submitTo } from './forms.js';
import { VERIFICATIONS } from './vocabulary.js';

const FILTERS = ['q', 'speaker', 'from', 'to', 'language', 'verification'];

export async function quotesView(ctx) {
  const filters = readFilters(ctx.query, FILTERS);
  ctx.watch = (change) => change.kind === 'quote';
  ctx.curl('GET', url('/v1/quotes', { ...filters, limit: LIMIT }));
  const input = filterInput('qf', filters);
  const form = submitTo(h('form', { id: 'quote-filters', class: 'filters', action: '/explore/quotes' },
    input('q', 'Words', 'words; prefix* for beginnings', { type: 'search', autocomplete: null }),
    input('speaker', 'Speaker', 'slug or id'),
    input('from', 'Said from', 'e.g. 2022-03', { size: 10 }),
    input('to', 'Said to', 'e.g. 2022-03', { size: 10 }),
    input('language', 'Language', 'e.g. en, ru, be', { size: 6 }),
    field('Verification', choice({ id: 'qf-verification', name: 'verification' }, VERIFICATIONS, filters.verification), 'e.g. verified'),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'quote-apply' }, 'Search'),
      h('a', { href: '/explore/quotes' }, 'Clear filters'))), '/explore/quotes');
  const terms = queryTerms(filters.q);
  const block = listBlock(ctx, {
    id: 'quote-results', path: '/v1/quotes', params: filters, item: (q) => quoteItem(q, { terms }),
    empty: 'No quotes match.',
  });
  ctx.root.append(h('h1', {}, filters.q ? `Quotes matching “${filters.q}”` : 'Quotes'),
    newButton('quote'),
    form, block.el);
  await block.ready;
}
