// A record's history: its revisions, newest first, each with when, who, why and what changed;
// an earlier state can be restored.

import { h, alertBox } from './dom.js';
import { request, url, enc, getToken, remember } from './api.js';
import { PLURAL, pageOf, LIMIT } from './records.js';
import { formatTime } from './dates.js';
import { setStatus, hooks, openTokenDialog } from './ui.js';

const SKIP = new Set(['version', 'updatedAt', 'createdAt', 'id']);

/** A JSON Merge Patch from one state to the next, top-level fields only. */
function diff(before, after) {
  const out = {};
  for (const key of new Set([...Object.keys(before || {}), ...Object.keys(after || {})])) {
    if (SKIP.has(key)) continue;
    const a = before ? before[key] : undefined, b = after ? after[key] : undefined;
    if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null)) out[key] = b ?? null;
  }
  return out;
}

function show(value) {
  if (value == null || value === '') return '(empty)';
  if (Array.isArray(value)) {
    if (!value.length) return '(none)';
    return value.map((x) => (x && typeof x === 'object'
      ? [x.name || x.title || x.actorId || x.sourceId, x.role || x.language, x.excerpt && `“${x.excerpt}”`].filter(Boolean).join(' · ')
      : String(x))).join('; ');
  }
  if (typeof value === 'object') return value.name || value.title || JSON.stringify(value);
  return String(value);
}

function changeList(changes) {
  const entries = Object.entries(changes || {}).filter(([k]) => !SKIP.has(k));
  if (!entries.length) return h('p', { class: 'hint' }, 'No field of its own changed.');
  return h('dl', { class: 'changes' }, entries.map(([k, v]) => [h('dt', {}, k), h('dd', {}, show(v))]));
}

export async function historyView(ctx, kind, id) {
  const path = `/v1/${PLURAL[kind]}/${enc(id)}/revisions`;
  ctx.record = { kind, id };
  ctx.curl('GET', url(path, { limit: LIMIT }));
  const { data } = await request(url(path, { limit: LIMIT }), { signal: ctx.signal });
  const revisions = data.data || [];
  const named = revisions.find((r) => r.state);
  const title = named ? named.state.name || named.state.title || named.state.text : id;
  const list = h('ol', { id: 'revisions', class: 'records' });
  const box = h('div', { class: 'list-block' }, list);
  const more = h('button', { type: 'button', class: 'load-more' }, 'Load more');
  let next = data.next;
  const newest = revisions[0] && revisions[0].revision;

  async function restore(n, button) {
    button.disabled = true;
    try {
      const { data: record } = await request(`/v1/${PLURAL[kind]}/${enc(id)}/revisions/${n}/restore`, { method: 'POST', signal: ctx.signal });
      remember(record);
      setStatus(`Restored revision ${n} as a new revision.`);
      hooks.refresh();
    } catch (error) {
      if (error.name === 'AbortError') return;
      if (error.status === 401) openTokenDialog();
      button.disabled = false;
      button.after(alertBox(error));
    }
  }

  async function add(page) {
    for (const [i, rev] of page.entries()) {
      const older = page[i + 1];
      const changes = h('div', { class: 'change' });
      if (rev.operation === 'delete') changes.append(h('p', {}, 'Deleted.'));
      else if (older) changes.append(changeList(diff(older.state, rev.state)));
      else if (rev.operation === 'create' || rev.revision === 1) changes.append(changeList(diff(null, rev.state)));
      else {
        // The revision before it is on the next page: ask the API what this one changed.
        try {
          const { data: detail } = await request(`${path}/${rev.revision}`, { signal: ctx.signal });
          changes.append(changeList(detail.changes));
        } catch (error) {
          if (error.name === 'AbortError') throw error;
          changes.append(alertBox(error));
        }
      }
      const restorable = getToken() && rev.operation !== 'delete' && rev.revision !== newest;
      const button = restorable ? h('button', { type: 'button', class: 'restore' }, `Restore revision ${rev.revision}`) : null;
      if (button) button.addEventListener('click', () => restore(rev.revision, button));
      list.append(h('li', { class: 'record revision', 'data-revision': rev.revision },
        h('h2', {}, `Revision ${rev.revision}: ${rev.operation}`),
        h('p', { class: 'meta' }, h('time', { datetime: rev.at }, formatTime(rev.at)), h('span', {}, `by ${rev.author}`)),
        rev.note ? h('p', { class: 'note' }, `Note: ${rev.note}`) : null,
        changes, button));
    }
  }
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const { data: page } = await request(url(path, { limit: LIMIT, cursor: next }), { signal: ctx.signal });
      await add(page.data || []);
      next = page.next;
      if (!next) more.remove();
    } catch (error) {
      if (error.name !== 'AbortError') box.append(alertBox(error));
    }
    more.disabled = false;
  });
  await add(revisions);
  if (next) box.append(more);
  const page = revisions[0] && revisions[0].operation !== 'delete' ? pageOf(kind, id) : null;
  ctx.root.append(h('h1', {}, `History of ${title}`),
    h('p', {}, page ? h('a', { href: page }, `Back to the ${kind}`) : kind === 'quote' ? h('a', { href: '/explore/quotes' }, 'Back to the quotes') : 'This record is deleted; restore an earlier revision to bring it back.'),
    box);
}
