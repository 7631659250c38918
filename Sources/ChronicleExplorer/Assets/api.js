// The public /v1 API, as any other client calls it: the same token, the same problem documents.

const KEY = 'chronicle.token';

export function getToken() {
  try { return sessionStorage.getItem(KEY) || ''; } catch { return ''; }
}

export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(KEY, token); else sessionStorage.removeItem(KEY);
  } catch { /* storage disabled: the token lives as long as the page */ }
}

/** Set once a read was refused for want of a token (the server runs with --require-read-token). */
export const auth = { needed: false };

/** An answer that is not 2xx, with its problem document (RFC 9457). */
export class ApiError extends Error {
  constructor(status, problem) {
    const p = problem && typeof problem === 'object' ? problem : {};
    super(p.detail || p.title || `The server answered ${status}.`);
    this.status = status;
    this.problem = p;
    this.errors = Array.isArray(p.errors) ? p.errors : [];
  }
}

/** A path with its query, empty parameters left out. */
export function url(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v != null && v !== '') query.append(k, v);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export const enc = encodeURIComponent;

/** fetch with the token, JSON both ways, and errors as ApiError. Resolves to {data, etag, status}. */
export async function request(path, { method = 'GET', body, headers = {}, signal, type = 'application/json' } = {}) {
  const sent = { Accept: 'application/json', ...headers };
  const token = getToken();
  if (token) sent.Authorization = `Bearer ${token}`;
  if (body !== undefined) sent['Content-Type'] = type;
  const response = await fetch(path, {
    method, headers: sent, signal, cache: 'no-cache',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  if (response.status !== 204 && response.status !== 304) {
    const text = await response.text();
    if (text && /json/.test(response.headers.get('Content-Type') || '')) {
      try { data = JSON.parse(text); } catch { data = null; }
    }
  }
  if (response.status === 401) auth.needed = true;
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, status: response.status, etag: response.headers.get('ETag') };
}

const quote = (text) => `'${String(text).replace(/'/g, `'\\''`)}'`;

/** The same request as a shell command, the token left as $CHRONICLE_TOKEN. */
export function curl(method, path, { body, headers = {}, type = 'application/json' } = {}) {
  const parts = ['curl'];
  if (method !== 'GET') parts.push('-X', method);
  parts.push(quote(location.origin + path));
  if (method !== 'GET' || getToken()) parts.push('-H "Authorization: Bearer $CHRONICLE_TOKEN"');
  for (const [k, v] of Object.entries(headers)) parts.push('-H', quote(`${k}: ${v}`));
  if (body !== undefined) parts.push('-H', quote(`Content-Type: ${type}`), '-d', quote(JSON.stringify(body)));
  return parts.join(' ');
}

/** Writes this page made itself, so that the change feed does not announce them back. */
export const ownWrites = new Set();
export const remember = (record) => record && record.id && ownWrites.add(`${record.id}@${record.version}`);
