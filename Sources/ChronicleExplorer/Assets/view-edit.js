// Create and edit forms for the four kinds: field errors next to their fields, PATCH of the
// changed fields only with If-Match, and a 412 conflict that can be redone on the new version.

import { h, alertBox, select } from './dom.js';
import { request, enc, getToken, curl, remember, ApiError } from './api.js';
import { PLURAL, actorPage, deleteRecord } from './records.js';
import { navigate, openTokenDialog, setStatus } from './ui.js';
import { CATEGORIES, ROLES } from './view-timeline.js';
import { VERIFICATIONS } from './view-quotes.js';

const DATE = 'YYYY, YYYY-MM or YYYY-MM-DD';
const COUNTRY = 'two capital letters, e.g. BY';
const CITATIONS = ['citations', 'Sources cited', 'rows', { item: 'citation', cols: [['sourceId', 'Source id', 'text', { required: true }], ['excerpt', 'Excerpt', 'textarea']] }];
const SPECS = {
  actor: [
    ['name', 'Name', 'text', { required: true }],
    ['kind', 'Kind', 'select', { options: ['person', 'organization', 'country', 'group'], default: 'person' }],
    ['slug', 'Slug', 'text', { hint: 'lowercase words and hyphens; made from the name when empty' }],
    ['description', 'Description', 'textarea'],
    ['country', 'Country', 'text', { hint: COUNTRY }],
    ['wikidataId', 'Wikidata id', 'text', { hint: 'Q and digits, e.g. Q7747' }],
    ['aliases', 'Aliases', 'rows', { item: 'alias', cols: [['name', 'Name', 'text', { required: true }], ['language', 'Language', 'text', { hint: 'e.g. ru, be' }]] }],
  ],
  event: [
    ['title', 'Title', 'text', { required: true }],
    ['start', 'Start', 'text', { required: true, hint: DATE }],
    ['end', 'End', 'text', { hint: `${DATE}; empty for one date` }],
    ['category', 'Category', 'select', { options: CATEGORIES, default: 'other' }],
    ['summary', 'Summary', 'textarea', { rows: 5 }],
    ['locationName', 'Place', 'text'],
    ['locationCountry', 'Country', 'text', { hint: COUNTRY }],
    ['participants', 'Participants', 'rows', { item: 'participant', cols: [['actorId', 'Actor', 'text', { required: true, hint: 'id or slug' }], ['role', 'Role', 'select', { options: ROLES, default: 'participant' }]] }],
    CITATIONS,
  ],
  quote: [
    ['text', 'Text', 'textarea', { required: true, rows: 4 }],
    ['language', 'Language', 'text', { required: true, default: 'en', hint: 'BCP 47, e.g. en, ru, be' }],
    ['speakerId', 'Speaker', 'text', { hint: 'actor id or slug; empty when the source names no speaker' }],
    ['said', 'Said', 'text', { hint: DATE }],
    ['eventId', 'Event id', 'text', { hint: 'evt_…, optional' }],
    ['context', 'Context', 'textarea'],
    ['verification', 'Verification', 'select', { options: VERIFICATIONS, default: 'unverified' }],
    CITATIONS,
  ],
  source: [
    ['title', 'Title', 'text', { required: true }],
    ['url', 'Web address', 'text', { hint: 'https://…', input: 'url' }],
    ['publisher', 'Publisher', 'text'],
    ['author', 'Author', 'text'],
    ['published', 'Published', 'text', { hint: DATE }],
    ['accessed', 'Accessed', 'text', { hint: DATE }],
  ],
};

const idOf = (name) => `f-${name.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`;
const errorIdOf = (name) => `error-${name.replace(/\./g, '-')}`;
const parentOf = (key) => { const up = key.replace(/(\.[^.[\]]*|\[\d+\])$/, ''); return up === key ? '' : up; };
const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const titleOf = (kind, r) => (kind === 'actor' ? r.name : kind === 'quote' ? (r.text.length > 60 ? `${r.text.slice(0, 59)}…` : r.text) : r.title);

/** A record as the body fields the form edits. */
function valuesOf(kind, record) {
  const v = {};
  for (const [name, , type, opts = {}] of SPECS[kind]) {
    if (type === 'rows') v[name] = (record[name] || []).map((row) => Object.fromEntries(opts.cols.map(([c]) => [c, row[c] ?? null])));
    else if (name === 'speakerId') v[name] = record.speaker ? record.speaker.id : null;
    else v[name] = record[name] ?? null;
  }
  return v;
}

function defaults(kind) {
  const v = {};
  for (const [name, , type, opts = {}] of SPECS[kind]) v[name] = type === 'rows' ? [] : opts.default ?? null;
  return v;
}

/** How a value looks in the conflict list. */
function show(value) {
  if (value == null || value === '') return '(empty)';
  if (Array.isArray(value)) return value.length ? value.map((x) => Object.values(x).filter((y) => y != null).join(' · ')).join('; ') : '(none)';
  return String(value);
}

function control(name, label, type, opts, value, note) {
  const id = idOf(name);
  let el;
  if (type === 'textarea') { el = h('textarea', { id, name, rows: opts.rows || 3 }); el.defaultValue = value ?? ''; }
  else if (type === 'select') el = select({ id, name }, opts.options, value ?? opts.default, opts.blank);
  else el = h('input', { id, name, type: opts.input || 'text', value: value ?? '', autocomplete: opts.input ? null : 'off', spellcheck: 'false' });
  if (opts.required) el.setAttribute('aria-required', 'true');
  const hintText = [opts.hint, note].filter(Boolean).join(' · ');
  const hint = hintText ? h('span', { class: 'hint', id: `${id}-hint` }, hintText) : null;
  const error = h('p', { class: 'field-error', id: errorIdOf(name) });
  el.setAttribute('aria-describedby', [hint && hint.id, error.id].filter(Boolean).join(' '));
  return h('div', { class: 'field' }, h('label', { for: id }, label, opts.required ? h('span', { class: 'req' }, ' (required)') : null), el, hint, error);
}

export async function editView(ctx, kind, id) {
  ctx.view = 'edit';
  const specs = SPECS[kind];
  const base = `/v1/${PLURAL[kind]}`;
  const path = id ? `${base}/${enc(id)}` : base;
  let record = null, etag = null, orig = defaults(kind);
  const names = new Map();
  if (id) {
    ctx.record = { kind, id };
    ctx.curl('GET', path);
    const read = await request(path, { signal: ctx.signal });
    record = read.data;
    etag = read.etag;
    orig = valuesOf(kind, record);
  }
  const learnNames = (r) => {
    for (const p of r.participants || []) names.set(p.actorId, p.name);
    for (const c of r.citations || []) names.set(c.sourceId, c.title);
    if (r.speaker) names.set(r.speaker.id, r.speaker.name);
  };
  if (record) learnNames(record);

  const form = h('form', { id: 'edit-form', 'data-kind': kind, novalidate: true, class: 'edit' });
  const fields = h('div', { class: 'fields' });
  const formErrors = h('div', { id: 'form-errors', role: 'alert', tabindex: -1 });
  const note = control('note', 'Note on this change', 'text', { hint: 'why you made it; kept in the history (optional)' });
  const saveButton = h('button', { type: 'submit', id: 'save', class: 'primary' }, id ? 'Save changes' : `Create ${kind}`);
  const rowLists = {};

  function rowItem(name, opts, index, row) {
    const n = index + 1;
    return h('li', { class: 'row' },
      opts.cols.map(([c, label, type, copts = {}]) => control(`${name}[${index}].${c}`, [label, h('span', { class: 'vh' }, ` of ${opts.item} ${n}`)],
        type, copts, row[c], c.endsWith('Id') && names.get(row[c]) ? `now: ${names.get(row[c])}` : '')),
      h('button', { type: 'button', class: 'remove', 'aria-label': `Remove ${opts.item} ${n}`, onclick: () => {
        const rows = readRows(name, opts);
        rows.splice(index, 1);
        rowLists[name].replaceChildren(...rows.map((r, i) => rowItem(name, opts, i, r)));
        updateCurl();
      } }, 'Remove'));
  }

  function readRows(name, opts) {
    return [...rowLists[name].children].map((li, i) => Object.fromEntries(opts.cols.map(([c]) => [c, form.elements.namedItem(`${name}[${i}].${c}`).value])));
  }

  function fill(values) {
    fields.replaceChildren(...specs.map(([name, label, type, opts = {}]) => {
      if (type !== 'rows') return control(name, label, type, opts, values[name], name === 'speakerId' && names.get(values[name]) ? `now: ${names.get(values[name])}` : '');
      const list = rowLists[name] = h('ol', { class: 'rows' }, values[name].map((row, i) => rowItem(name, opts, i, row)));
      return h('fieldset', { class: 'rows-field' }, h('legend', {}, label), list,
        h('p', { class: 'field-error', id: errorIdOf(name) }),
        h('button', { type: 'button', class: 'add', onclick: () => {
          const i = list.children.length;
          list.append(rowItem(name, opts, i, {}));
          form.elements.namedItem(`${name}[${i}].${opts.cols[0][0]}`).focus();
        } }, `Add ${opts.item}`));
    }));
  }

  /** The form as a body: empty optional fields null, blank rows left out. */
  function read() {
    const body = {};
    for (const [name, , type, opts = {}] of specs) {
      if (type === 'rows') {
        body[name] = readRows(name, opts).filter((row) => Object.values(row).some((x) => x.trim()))
          .map((row) => Object.fromEntries(opts.cols.map(([c, , , co = {}]) => [c, row[c] === '' && !co.required ? null : row[c]])));
      } else {
        const value = form.elements.namedItem(name).value;
        body[name] = value === '' && !opts.required ? null : value;
      }
    }
    return body;
  }

  const changes = (from, to) => Object.fromEntries(Object.entries(to).filter(([k, v]) => !same(from[k], v)));
  const createBody = (body) => Object.fromEntries(Object.entries(body).filter(([, v]) => v != null && !(Array.isArray(v) && !v.length)));
  const headers = () => {
    const extra = {};
    if (etag) extra['If-Match'] = etag;
    const text = form.elements.namedItem('note').value.trim();
    if (text) extra['Chronicle-Note'] = text;
    return extra;
  };
  function updateCurl() {
    if (id) ctx.curl('PATCH', path, { body: changes(orig, read()), headers: headers(), type: 'application/merge-patch+json' });
    else ctx.curl('POST', path, { body: createBody(read()), headers: headers() });
  }

  function clearErrors() {
    formErrors.replaceChildren();
    for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    form.querySelector('#conflict')?.remove();
  }

  /** Each API field error next to its field; the rest in #form-errors. */
  function showErrors(error) {
    const rest = [];
    let first = null;
    for (const { field, message } of error.errors) {
      const input = form.elements.namedItem(field);
      if (input && input.setAttribute) { input.setAttribute('aria-invalid', 'true'); first = first || input; }
      let key = field, slot = null;
      while (key && !(slot = form.querySelector(`#${CSS.escape(errorIdOf(key))}`))) key = parentOf(key);
      if (slot) {
        slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : (key === field ? message : `${field}: ${message}`);
        const group = !input && form.querySelector(`[name^="${key}["]`);
        if (group) first = first || group;
      } else rest.push({ field, message });
    }
    formErrors.replaceChildren(h('p', {}, error.message));
    if (rest.length) formErrors.append(h('ul', {}, rest.map((e) => h('li', {}, h('code', {}, e.field), `: ${e.message}`))));
    (first || formErrors).focus();
  }

  /** Actor references typed as slugs become ids, as the API's writes want ids. */
  async function resolve(body) {
    const errors = [];
    const lookup = async (value, field) => {
      if (!value || /^act_/.test(value)) return value;
      try {
        const { data } = await request(`/v1/actors/${enc(value)}?fields=id,name`, { signal: ctx.signal });
        names.set(data.id, data.name);
        return data.id;
      } catch (e) {
        if (e.status === 404 || e.status === 410) { errors.push({ field, message: `no actor has the id or slug '${value}'` }); return value; }
        throw e;
      }
    };
    if ('speakerId' in body) body.speakerId = await lookup(body.speakerId, 'speakerId');
    if (body.participants) {
      for (const [i, p] of body.participants.entries()) p.actorId = await lookup(p.actorId, `participants[${i}].actorId`);
    }
    if (errors.length) throw new ApiError(422, { detail: `the form has ${errors.length} unknown actor${errors.length > 1 ? 's' : ''}`, errors });
    return body;
  }

  async function conflict(mine) {
    const { data: theirs } = await request(path, { signal: ctx.signal });
    const now = valuesOf(kind, theirs);
    const changed = specs.map(([name]) => name).filter((name) => !same(now[name], orig[name]));
    const redo = h('button', { type: 'button', id: 'conflict-reload', class: 'primary' }, 'Redo my edit on the current version');
    const box = h('section', { id: 'conflict', role: 'alert', class: 'alert' },
      h('h2', {}, `Not saved: this ${kind} changed since you opened it`),
      h('p', {}, `It is at version ${theirs.version} now. ${changed.length ? 'What changed meanwhile:' : 'Its own fields are as you saw them; something it holds changed.'}`),
      changed.length ? h('dl', { class: 'conflict' }, changed.map((name) => [
        h('dt', {}, name), h('dd', {}, h('span', { class: 'who' }, 'Their value: '), show(now[name])),
        h('dd', {}, h('span', { class: 'who' }, 'Your value: '), show(mine[name]), same(mine[name], orig[name]) ? ' (not changed by you)' : '')])) : null,
      redo);
    redo.addEventListener('click', async () => {
      redo.disabled = true;
      try {
        const mineNow = changes(orig, read());
        const fresh = await request(path, { signal: ctx.signal });
        record = fresh.data;
        etag = fresh.etag;
        learnNames(record);
        orig = valuesOf(kind, record);
        fill({ ...orig, ...mineNow });
        clearErrors();
        updateCurl();
        setStatus('Your changes are applied to the current version: check them and save again.');
        const firstChanged = Object.keys(mineNow)[0];
        (firstChanged && form.querySelector(`[name="${firstChanged}"], [name^="${firstChanged}["]`) || saveButton).focus();
      } catch (error) {
        if (error.name !== 'AbortError') { redo.disabled = false; box.append(alertBox(error)); }
      }
    });
    formErrors.after(box);
    redo.focus();
  }

  async function save() {
    clearErrors();
    saveButton.disabled = true;
    try {
      const body = await resolve(read());
      let result;
      if (id) {
        const patch = changes(orig, body);
        if (!Object.keys(patch).length) { setStatus('Nothing to save: no field changed.'); return; }
        result = await request(path, { method: 'PATCH', body: patch, headers: headers(), type: 'application/merge-patch+json', signal: ctx.signal });
      } else {
        result = await request(path, { method: 'POST', body: createBody(body), headers: headers(), signal: ctx.signal });
      }
      const saved = result.data;
      remember(saved);
      const target = kind === 'quote' ? (saved.speaker ? actorPage(saved.speaker) : '/explore/quotes')
        : kind === 'actor' ? actorPage(saved) : `/explore/${PLURAL[kind]}/${enc(saved.id)}`;
      navigate(target, { status: `${id ? 'Saved' : 'Created'} “${titleOf(kind, saved)}”.` });
    } catch (error) {
      if (error.name === 'AbortError') return;
      if (error.status === 412) {
        try { await conflict(read()); } catch (e) { if (e.name !== 'AbortError') formErrors.replaceChildren(alertBox(e)); }
        return;
      }
      if (error.status === 401) openTokenDialog();
      if (error.errors && error.errors.length) showErrors(error);
      else {
        const why = error.status === 401 ? ' Sign in with a write token and save again.' : error.status === 403 ? ' This token may not write; use one with the write scope.' : '';
        formErrors.replaceChildren(h('p', {}, error.message + why));
      }
    } finally {
      saveButton.disabled = false;
    }
  }

  fill(id ? orig : defaults(kind));
  form.append(formErrors, fields, note, h('div', { class: 'buttons' }, saveButton,
    h('a', { href: id && kind !== 'quote' ? `/explore/${PLURAL[kind]}/${enc(id)}` : kind === 'event' ? '/explore/timeline' : `/explore/${PLURAL[kind]}` }, 'Cancel')));
  form.addEventListener('submit', (event) => { event.preventDefault(); save(); });
  form.addEventListener('input', updateCurl);
  form.addEventListener('change', updateCurl);

  const heading = id ? `Edit ${kind}: ${titleOf(kind, record)}` : `New ${kind}`;
  const bar = id ? h('div', { class: 'actions' },
    h('a', { href: `/explore/${PLURAL[kind]}/${enc(record.id)}/history`, class: 'history-link button' }, 'History'),
    h('button', { type: 'button', class: 'delete-button danger', onclick: () => deleteRecord(kind, record, titleOf(kind, record), bar) }, 'Delete')) : null;
  ctx.root.append(h('h1', {}, heading),
    getToken() ? null : h('p', { class: 'notice' }, 'You are not signed in: saving needs a token with the write scope. ',
      h('button', { type: 'button', onclick: openTokenDialog }, 'Sign in')),
    bar, form);
  updateCurl();
}
