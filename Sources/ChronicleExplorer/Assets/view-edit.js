// Create and edit forms for the four kinds: field errors next to their fields, PATCH of the
// changed fields only with If-Match, and a 412 conflict that can be redone on the new version.

import { h, alertBox, select, messageOf } from './dom.js';
import { request, enc, getToken, remember, ApiError } from './api.js';
import { PLURAL, LIST_PAGE, actorPage, pageOf, deleteButton, titleOf, same, shown, diff } from './records.js';
import { navigate, openTokenDialog, setStatus } from './ui.js';
import { CATEGORIES, ROLES, VERIFICATIONS, ACTOR_KINDS } from './vocabulary.js';

const DATE = 'YYYY, YYYY-MM or YYYY-MM-DD';
const COUNTRY = 'two capital letters, e.g. BY';
const MERGE = 'application/merge-patch+json';
const CITATIONS = ['citations', 'Sources cited', 'rows', { item: 'citation', cols: [['sourceId', 'Source id', 'text', { required: true }], ['excerpt', 'Excerpt', 'textarea']] }];
const SPECS = {
  actor: [
    ['name', 'Name', 'text', { required: true }],
    ['kind', 'Kind', 'select', { options: ACTOR_KINDS, default: 'person' }],
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
/** A create body: empty fields left out. */
const createBody = (body) => Object.fromEntries(Object.entries(body).filter(([, v]) => v != null && !(Array.isArray(v) && !v.length)));

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

/** One labelled input, textarea or select with its hint and its error slot. */
function control(name, label, type, opts, value, note) {
  const id = idOf(name);
  let el;
  if (type === 'textarea') { el = h('textarea', { id, name, rows: opts.rows || 3 }); el.defaultValue = value ?? ''; }
  else if (type === 'select') el = select({ id, name }, opts.options, value ?? opts.default);
  else el = h('input', { id, name, type: opts.input || 'text', value: value ?? '', autocomplete: opts.input ? null : 'off', spellcheck: 'false' });
  if (opts.required) el.setAttribute('aria-required', 'true');
  const hintText = [opts.hint, note].filter(Boolean).join(' · ');
  const hint = hintText ? h('span', { class: 'hint', id: `${id}-hint` }, hintText) : null;
  const error = h('p', { class: 'field-error', id: errorIdOf(name) });
  el.setAttribute('aria-describedby', [hint && hint.id, error.id].filter(Boolean).join(' '));
  return h('div', { class: 'field' }, h('label', { for: id }, label, opts.required ? h('span', { class: 'req' }, ' (required)') : null), el, hint, error);
}

/**
 * The form of a kind: `fill(values)` draws its fields, `read()` gives them back as a body (empty
 * optional fields null, blank rows left out). `names` holds the names of the ids it refers to.
 */
function formOf(kind, names, changed) {
  const specs = SPECS[kind];
  const form = h('form', { id: 'edit-form', 'data-kind': kind, novalidate: true, class: 'edit' });
  const fields = h('div', { class: 'fields' });
  const rowLists = {};
  const noteOf = (name, value) => (/Id$/.test(name) && names.get(value) ? `now: ${names.get(value)}` : '');
  const input = (name) => form.elements.namedItem(name);

  const readRows = (name, opts) => [...rowLists[name].children].map((li, i) =>
    Object.fromEntries(opts.cols.map(([c]) => [c, input(`${name}[${i}].${c}`).value])));

  function rowItem(name, opts, index, row) {
    const n = index + 1;
    return h('li', { class: 'row' },
      opts.cols.map(([c, label, type, copts = {}]) => control(`${name}[${index}].${c}`,
        [label, h('span', { class: 'vh' }, ` of ${opts.item} ${n}`)], type, copts, row[c], noteOf(c, row[c]))),
      h('button', { type: 'button', class: 'remove', 'aria-label': `Remove ${opts.item} ${n}`, onclick: () => {
        const rows = readRows(name, opts);
        rows.splice(index, 1);
        rowLists[name].replaceChildren(...rows.map((r, i) => rowItem(name, opts, i, r)));
        changed();
      } }, 'Remove'));
  }

  function fill(values) {
    fields.replaceChildren(...specs.map(([name, label, type, opts = {}]) => {
      if (type !== 'rows') return control(name, label, type, opts, values[name], noteOf(name, values[name]));
      const list = rowLists[name] = h('ol', { class: 'rows' }, values[name].map((row, i) => rowItem(name, opts, i, row)));
      return h('fieldset', { class: 'rows-field' }, h('legend', {}, label), list,
        h('p', { class: 'field-error', id: errorIdOf(name) }),
        h('button', { type: 'button', class: 'add', onclick: () => {
          const i = list.children.length;
          list.append(rowItem(name, opts, i, {}));
          input(`${name}[${i}].${opts.cols[0][0]}`).focus();
        } }, `Add ${opts.item}`));
    }));
  }

  function read() {
    const body = {};
    for (const [name, , type, opts = {}] of specs) {
      if (type === 'rows') {
        body[name] = readRows(name, opts).filter((row) => Object.values(row).some((x) => x.trim()))
          .map((row) => Object.fromEntries(opts.cols.map(([c, , , co = {}]) => [c, row[c] === '' && !co.required ? null : row[c]])));
      } else {
        const value = input(name).value;
        body[name] = value === '' && !opts.required ? null : value;
      }
    }
    return body;
  }

  return { form, fields, fill, read };
}

/** The names of the actors and sources a record refers to, for the "now: …" hints. */
function learnNames(names, r) {
  for (const p of r.participants || []) names.set(p.actorId, p.name);
  for (const c of r.citations || []) names.set(c.sourceId, c.title);
  if (r.speaker) names.set(r.speaker.id, r.speaker.name);
}

/** The editor's record as read: its body, ETag and form values. */
function adopt(ed, read) {
  ed.record = read.data;
  ed.etag = read.etag;
  ed.orig = valuesOf(ed.kind, ed.record);
  learnNames(ed.names, ed.record);
}

function headersOf(ed) {
  const extra = {};
  if (ed.etag) extra['If-Match'] = ed.etag;
  const text = ed.form.elements.namedItem('note').value.trim();
  if (text) extra['Chronicle-Note'] = text;
  return extra;
}

/** The write the form would make, as the view's curl command. */
function updateCurl(ed) {
  if (ed.id) ed.ctx.curl('PATCH', ed.path, { body: diff(ed.orig, ed.read()), headers: headersOf(ed), type: MERGE });
  else ed.ctx.curl('POST', ed.path, { body: createBody(ed.read()), headers: headersOf(ed) });
}

function clearErrors(ed) {
  ed.formErrors.replaceChildren();
  for (const el of ed.form.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of ed.form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  ed.form.querySelector('#conflict')?.remove();
}

/** Each API field error next to its field (or the nearest enclosing one); the rest in #form-errors. */
function showErrors(ed, error) {
  const { form, formErrors } = ed;
  const rest = [];
  let first = null;
  for (const { field, message } of error.errors) {
    const input = typeof field === 'string' ? form.elements.namedItem(field) : null;
    if (input && input.setAttribute) { input.setAttribute('aria-invalid', 'true'); first = first || input; }
    let key = String(field), slot = null;
    while (key && !(slot = form.querySelector(`#${CSS.escape(errorIdOf(key))}`))) key = parentOf(key);
    if (slot) {
      slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : (key === field ? message : `${field}: ${message}`);
      const group = !input && form.querySelector(`[name^="${CSS.escape(`${key}[`)}"]`);
      if (group) first = first || group;
    } else rest.push({ field, message });
  }
  formErrors.replaceChildren(h('p', {}, error.message));
  if (rest.length) formErrors.append(h('ul', {}, rest.map((e) => h('li', {}, h('code', {}, e.field), `: ${e.message}`))));
  (first || formErrors).focus();
}

/** Actor references typed as slugs become ids, as the API's writes want ids. */
async function resolveActors(ed, body) {
  const errors = [];
  const lookup = async (value, field) => {
    if (!value || /^act_/.test(value)) return value;
    try {
      const { data } = await request(`/v1/actors/${enc(value)}?fields=id,name`, { signal: ed.ctx.signal });
      ed.names.set(data.id, data.name);
      return data.id;
    } catch (e) {
      if (e.status !== 404 && e.status !== 410) throw e;
      errors.push({ field, message: `no actor has the id or slug '${value}'` });
      return value;
    }
  };
  if ('speakerId' in body) body.speakerId = await lookup(body.speakerId, 'speakerId');
  for (const [i, p] of (body.participants || []).entries()) p.actorId = await lookup(p.actorId, `participants[${i}].actorId`);
  if (errors.length) throw new ApiError(422, { detail: `the form has ${errors.length} unknown actor${errors.length > 1 ? 's' : ''}`, errors });
  return body;
}

/** After a 412: what changed meanwhile, their value and mine, and a button to redo my edit. */
async function showConflict(ed, mine) {
  const { data: theirs } = await request(ed.path, { signal: ed.ctx.signal });
  const now = valuesOf(ed.kind, theirs);
  const changed = SPECS[ed.kind].map(([name]) => name).filter((name) => !same(now[name], ed.orig[name]));
  const redo = h('button', { type: 'button', id: 'conflict-reload', class: 'primary' }, 'Redo my edit on the current version');
  const box = h('section', { id: 'conflict', role: 'alert', class: 'alert' },
    h('h2', {}, `Not saved: this ${ed.kind} changed since you opened it`),
    h('p', {}, `It is at version ${theirs.version} now. ${changed.length ? 'What changed meanwhile:' : 'Its own fields are as you saw them; something it holds changed.'}`),
    changed.length ? h('dl', { class: 'conflict' }, changed.map((name) => [
      h('dt', {}, name), h('dd', {}, h('span', { class: 'who' }, 'Their value: '), shown(now[name])),
      h('dd', {}, h('span', { class: 'who' }, 'Your value: '), shown(mine[name]), same(mine[name], ed.orig[name]) ? ' (not changed by you)' : '')])) : null,
    redo);
  redo.addEventListener('click', () => redoEdit(ed, redo).catch((error) => {
    if (error.name !== 'AbortError') { redo.disabled = false; box.append(alertBox(error)); }
  }));
  ed.formErrors.after(box);
  redo.focus();
}

/** Reload the record (a new ETag) and put my changed fields back into the form; <main> is busy meanwhile. */
async function redoEdit(ed, button) {
  const main = document.getElementById('main');
  button.disabled = true;
  main.setAttribute('aria-busy', 'true');
  try {
    const mine = diff(ed.orig, ed.read());
    adopt(ed, await request(ed.path, { signal: ed.ctx.signal }));
    ed.fill({ ...ed.orig, ...mine });
    clearErrors(ed);
    updateCurl(ed);
    setStatus('Your changes are applied to the current version: check them and save again.');
    const name = Object.keys(mine)[0];
    (name && ed.form.querySelector(`[name="${CSS.escape(name)}"], [name^="${CSS.escape(`${name}[`)}"]`) || ed.saveButton).focus();
  } finally {
    if (!ed.ctx.signal.aborted) main.setAttribute('aria-busy', 'false');
  }
}

async function save(ed) {
  const { ctx, kind, id, path } = ed;
  clearErrors(ed);
  ed.saveButton.disabled = true;
  try {
    const body = await resolveActors(ed, ed.read());
    let result;
    if (id) {
      const patch = diff(ed.orig, body);
      if (!Object.keys(patch).length) { setStatus('Nothing to save: no field changed.'); return; }
      result = await request(path, { method: 'PATCH', body: patch, headers: headersOf(ed), type: MERGE, signal: ctx.signal });
    } else {
      result = await request(path, { method: 'POST', body: createBody(body), headers: headersOf(ed), signal: ctx.signal });
    }
    const saved = result.data;
    remember(saved);
    const target = kind === 'quote' ? (saved.speaker ? actorPage(saved.speaker) : LIST_PAGE.quote)
      : kind === 'actor' ? actorPage(saved) : pageOf(kind, saved.id);
    navigate(target, { status: `${id ? 'Saved' : 'Created'} “${titleOf(saved)}”.` });
  } catch (error) {
    if (error.name === 'AbortError') return;
    if (error.status === 412) { await showConflict(ed, ed.read()); return; }
    if (error.status === 401) openTokenDialog();
    if (error.errors && error.errors.length) { showErrors(ed, error); return; }
    const why = error.status === 401 ? ' Sign in with a write token and save again.' : error.status === 403 ? ' This token may not write; use one with the write scope.' : '';
    ed.formErrors.replaceChildren(h('p', {}, messageOf(error) + why));
  } finally {
    ed.saveButton.disabled = false;
  }
}

/** "Not signed in" with a Sign in button, kept up to date as the token changes (the form stays). */
function tokenNotice() {
  const box = h('div', { class: 'token-notice' });
  const update = () => box.replaceChildren(getToken() ? '' : h('p', { class: 'notice' },
    'You are not signed in: saving needs a token with the write scope. ', h('button', { type: 'button', onclick: openTokenDialog }, 'Sign in')));
  update();
  return { box, update };
}

export async function editView(ctx, kind, id) {
  ctx.view = 'edit';
  const path = id ? `/v1/${PLURAL[kind]}/${enc(id)}` : `/v1/${PLURAL[kind]}`;
  const ed = { ctx, kind, id, path, names: new Map(), record: null, etag: null, orig: defaults(kind) };
  if (id) {
    ctx.record = { kind, id };
    ctx.curl('GET', path);
    adopt(ed, await request(path, { signal: ctx.signal }));
    ctx.record = { kind, id: ed.record.id };
  }
  Object.assign(ed, formOf(kind, ed.names, () => updateCurl(ed)));
  ed.formErrors = h('div', { id: 'form-errors', role: 'alert', tabindex: -1 });
  ed.saveButton = h('button', { type: 'submit', id: 'save', class: 'primary' }, id ? 'Save changes' : `Create ${kind}`);
  ed.fill(ed.orig);
  const { form } = ed;
  form.append(ed.formErrors, ed.fields, control('note', 'Note on this change', 'text', { hint: 'why you made it; kept in the history (optional)' }),
    h('div', { class: 'buttons' }, ed.saveButton, h('a', { href: id && kind !== 'quote' ? pageOf(kind, id) : LIST_PAGE[kind] }, 'Cancel')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save(ed).catch((error) => { if (error.name !== 'AbortError') ed.formErrors.replaceChildren(h('p', {}, messageOf(error))); });
  });
  form.addEventListener('input', () => updateCurl(ed));
  form.addEventListener('change', () => updateCurl(ed));

  const notice = tokenNotice();
  ctx.onToken = notice.update;
  const bar = id ? h('div', { class: 'actions' },
    h('a', { href: `/explore/${PLURAL[kind]}/${enc(ed.record.id)}/history`, class: 'history-link button' }, 'History'),
    deleteButton(ctx, kind, () => ({ record: ed.record, etag: ed.etag }))) : null;
  ctx.root.append(h('h1', {}, id ? `Edit ${kind}: ${titleOf(ed.record)}` : `New ${kind}`), notice.box, bar, form);
  updateCurl(ed);
}
