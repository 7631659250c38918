// Building the page safely: every text from the API becomes a text node, never HTML.

const SVG = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false || child === '') continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** h('a', {href, class}, 'text', child…): an HTML element. */
export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);

/** s('rect', {x, y}): an SVG element. */
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG, tag), attrs, children);

/** A problem shown to everyone, not only in the console. */
export function alertBox(error, extra) {
  const box = h('div', { role: 'alert', class: 'alert' }, h('p', {}, messageOf(error)));
  const fields = error && error.errors;
  if (fields && fields.length) box.append(h('ul', {}, fields.map((e) => h('li', {}, h('code', {}, e.field), ': ', e.message))));
  if (extra) append(box, [extra]);
  return box;
}

export function messageOf(error) {
  if (!error) return 'Something went wrong.';
  if (error.status === 0 || error instanceof TypeError) return 'The server could not be reached. Check your connection and try again.';
  return error.message || String(error);
}

/** Text with `[word]` markers (search snippets) as text and <mark> nodes. */
export function marked(snippet) {
  const out = [];
  const re = /\[([^\[\]]*)\]/g;
  let last = 0;
  for (let m; (m = re.exec(snippet)); last = re.lastIndex) {
    if (m.index > last) out.push(snippet.slice(last, m.index));
    out.push(h('mark', {}, m[1]));
  }
  if (last < snippet.length) out.push(snippet.slice(last));
  return out;
}

/** Accent- and case-insensitive form: "Лукашэнка" ≈ "лукашэнка", "Café" ≈ "cafe". */
const fold = (text) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const WORD = /[\p{L}\p{N}]/u;

/** The words of a full-text query worth highlighting: operators and syntax dropped. */
export function queryTerms(query) {
  return (query || '')
    .replace(/\b(AND|OR|NOT|NEAR)\b/g, ' ')
    .split(/[^\p{L}\p{N}\p{M}*]+/u)
    .map((word) => ({ prefix: word.endsWith('*'), word: fold(word.replace(/\*+/g, '')) }))
    .filter((term) => term.word);
}

/** Text with every whole-word match of the terms wrapped in <mark>, whatever its accents and case. */
export function highlight(text, terms) {
  if (!text || !terms || !terms.length) return [text || ''];
  let folded = '';
  const starts = [], ends = [];
  let offset = 0;
  for (const ch of text) {
    const f = fold(ch);
    for (let k = 0; k < f.length; k++) { starts.push(offset); ends.push(offset + ch.length); }
    folded += f;
    offset += ch.length;
  }
  const ranges = [];
  const isWord = (i) => i >= 0 && i < folded.length && WORD.test(folded[i]);
  for (const { word, prefix } of terms) {
    for (let i = folded.indexOf(word); i >= 0; i = folded.indexOf(word, i + 1)) {
      let end = i + word.length;
      if (isWord(i - 1)) continue;
      if (prefix) while (isWord(end)) end++;
      else if (isWord(end)) continue;
      ranges.push([starts[i], ends[end - 1]]);
    }
  }
  if (!ranges.length) return [text];
  ranges.sort((a, b) => a[0] - b[0]);
  const out = [];
  let at = 0;
  for (const [a, b] of ranges) {
    if (b <= at) continue;
    const from = Math.max(a, at);
    if (from > at) out.push(text.slice(at, from));
    out.push(h('mark', {}, text.slice(from, b)));
    at = b;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** A <select> of `options` with `value` chosen (as its default, so that a form can tell a change). */
export function select(attrs, options, value) {
  const all = value && !options.includes(value) ? [value, ...options] : options;
  return h('select', attrs, all.map((o) => h('option', { value: o, selected: o === value }, o)));
}

/** `url` when it is an http(s) address, else null: data never makes a javascript: or data: link. */
export function safeHref(url) {
  try {
    return ['http:', 'https:'].includes(new URL(url, location.origin).protocol) ? url : null;
  } catch {
    return null;
  }
}

/** A link to another site, or only the address as text when it is no http(s) URL. */
export function externalLink(url, label) {
  const href = safeHref(url);
  return href ? h('a', { href, rel: 'noopener external', class: 'external' }, label || url) : h('span', { class: 'address' }, url);
}
