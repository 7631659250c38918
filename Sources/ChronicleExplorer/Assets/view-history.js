// A record's history: its revisions, newest first, each with when, who, why and what changed;
// an earlier state can be restored.

import { h, alertBox } from './dom.js';
import { request, url, enc, getToken, remember } from './api.js';
import { PLURAL, LIST_PAGE, pageOf, listBlock, titleOf, shown, diff, LIMIT } from './records.js';
import { formatTime } from './dates.js';
import { setStatus, hooks, openTokenDialog } from './ui.js';

const SKIP = new Set(['version', 'updatedAt', 'createdAt', 'id']);

function changeList(changes) {
  const entries = Object.entries(changes || {}).filter(([k]) => !SKIP.has(k));
  if (!entries.length) return h('p', { class: 'hint' }, 'No field of its own changed.');
  return h('dl', { class: 'changes' }, entries.map(([k, v]) => [h('dt', {}, k), h('dd', {}, shown(v))]));
}

async function restore(ctx, base, n, button) {
  button.disabled = true;
  try {
    const { data: record } = await request(`${base}/revisions/${n}/restore`, { method: 'POST', signal: ctx.signal });
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

/** What a revision changed: from the one before it when that is on the same page, else asked of the API. */
function changesOf(ctx, base, rev, older) {
  if (rev.operation === 'delete') return h('p', {}, 'Deleted.');
  if (older) return changeList(diff(older.state, rev.state));
  if (rev.operation === 'create' || rev.revision === 1) return changeList(diff(null, rev.state));
  const box = h('div', {}, h('p', { class: 'hint' }, 'Loading what changed…'));
  request(`${base}/revisions/${rev.revision}`, { signal: ctx.signal }).then(
    ({ data }) => box.replaceChildren(changeList(data.changes)),
    (error) => { if (error.name !== 'AbortError') box.replaceChildren(alertBox(error)); });
  return box;
}

export async function historyView(ctx, kind, id) {
  const base = `/v1/${PLURAL[kind]}/${enc(id)}`;
  const first = url(`${base}/revisions`, { limit: LIMIT });
  ctx.record = { kind, id };
  ctx.curl('GET', first);
  const { data } = await request(first, { signal: ctx.signal });
  const revisions = data.data || [];
  const named = revisions.find((r) => r.state);
  const newest = revisions[0] && revisions[0].revision;
  const item = (rev, i, page) => {
    const button = getToken() && rev.operation !== 'delete' && rev.revision !== newest
      ? h('button', { type: 'button', class: 'restore' }, `Restore revision ${rev.revision}`) : null;
    if (button) button.addEventListener('click', () => restore(ctx, base, rev.revision, button));
    return h('li', { class: 'record revision', 'data-revision': rev.revision },
      h('h2', {}, `Revision ${rev.revision}: ${rev.operation}`),
      h('p', { class: 'meta' }, h('time', { datetime: rev.at }, formatTime(rev.at)), h('span', {}, `by ${rev.author}`)),
      rev.note ? h('p', { class: 'note' }, `Note: ${rev.note}`) : null,
      h('div', { class: 'change' }, changesOf(ctx, base, rev, page[i + 1])), button);
  };
  const block = listBlock(ctx, { id: 'revisions', path: `${base}/revisions`, first: data, item, empty: 'No revisions.' });
  const page = revisions[0] && revisions[0].operation !== 'delete' ? pageOf(kind, id) : null;
  ctx.root.append(h('h1', {}, `History of ${named ? titleOf(named.state) : id}`),
    h('p', {}, page ? h('a', { href: page }, `Back to the ${kind}`)
      : kind === 'quote' ? h('a', { href: LIST_PAGE.quote }, 'Back to the quotes') : 'This record is deleted; restore an earlier revision to bring it back.'),
    block.el);
}
