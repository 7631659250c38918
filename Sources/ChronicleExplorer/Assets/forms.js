// The filter and search forms of the list views: values read from the URL, labelled inputs, and a
// submit that goes to the view's URL with the filled-in fields as its query.

import { h } from './dom.js';
import { url } from './api.js';
import { navigate } from './ui.js';
import { listBlock, newButton, PLURAL, LIMIT } from './records.js';

/** A labelled form control in a wrapper, with an optional hint. */
export function field(label, control, hint) {
  const input = Array.isArray(control) ? control[0] : control;
  const hintEl = hint ? h('span', { class: 'hint', id: `${input.id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), control, hintEl);
}

/** A text input suggesting a list of values (a filter that also takes typing and clearing). */
export function choice(attrs, options, value) {
  const list = h('datalist', { id: `${attrs.id}-options` }, options.map((o) => h('option', { value: o })));
  return [h('input', { ...attrs, value, list: list.id, autocomplete: 'off' }), list];
}

/** The filters `names` given in the URL's query, trimmed, empty ones left out. */
export function readFilters(query, names) {
  const filters = {};
  for (const k of names) if ((query.get(k) || '').trim()) filters[k] = query.get(k).trim();
  return filters;
}

/** A maker of labelled text inputs (ids `<prefix>-<name>`) holding the filters' values. */
export const filterInput = (prefix, filters) => (name, label, hint, extra = {}) =>
  field(label, h('input', { id: `${prefix}-${name}`, name, value: filters[name], autocomplete: 'off', ...extra }), hint);

/** Submitting the form goes to `path` with its non-empty fields as the query (`adjust` may change them). */
export function submitTo(form, path, adjust) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim()) params.append(k, v.trim());
    if (adjust) adjust(params);
    navigate(`${path}${params.toString() ? `?${params}` : ''}`);
  });
  return form;
}

/** A one-box search form for a list view. */
function searchForm(id, path, label, value) {
  return submitTo(h('form', { id, class: 'filters one', action: path, role: 'search', 'aria-label': label },
    field(label, h('input', { type: 'search', id: `${id}-q`, name: 'q', value }), 'words; prefix* for word beginnings'),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Search'))), path);
}

/** The list of a kind with its search box: /explore/actors?q=, /explore/sources?q=. */
export async function searchableList(ctx, kind, title, item) {
  const q = ctx.query.get('q') || '';
  const path = `/v1/${PLURAL[kind]}`;
  ctx.watch = (change) => change.kind === kind;
  ctx.curl('GET', url(path, { q, limit: LIMIT }));
  const block = listBlock(ctx, { id: `${kind}-list`, tag: 'ul', path, params: { q }, item, empty: `No ${PLURAL[kind]} match.` });
  ctx.root.append(h('h1', {}, q ? `${title} matching “${q}”` : title), newButton(kind),
    searchForm(`${kind}-search`, `/explore/${PLURAL[kind]}`, `Search ${PLURAL[kind]}`, q), block.el);
  await block.ready;
}
