// Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) said as precisely as they are known, and the span
// of time each may cover, for drawing.

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];
export const DAY = 86400000;

function parse(date) {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(date || '');
  return m ? { y: +m[1], m: m[2] ? +m[2] : 0, d: m[3] ? +m[3] : 0 } : null;
}

/** "24 February 2022", "March 2022", "2014". */
export function formatDate(date) {
  const p = parse(date);
  if (!p) return date || '';
  if (p.d) return `${p.d} ${MONTHS[p.m - 1]} ${p.y}`;
  if (p.m) return `${MONTHS[p.m - 1]} ${p.y}`;
  return String(p.y);
}

/** A start and an optional end: "2014", or "between 2020 and 2022". */
export function formatPeriod(start, end) {
  if (!end || end === start) return formatDate(start);
  return `between ${formatDate(start)} and ${formatDate(end)}`;
}

/** Milliseconds (UTC) of a calendar day, for any year. */
export function utc(y, month0, day) {
  const t = new Date(0);
  t.setUTCFullYear(y, month0, day);
  return t.getTime();
}

/** The first moment a partial date may mean. */
export function earliest(date) {
  const p = parse(date);
  return p ? utc(p.y, (p.m || 1) - 1, p.d || 1) : NaN;
}

/** The moment just after the last one a partial date may mean (a year ends on 1 January next). */
export function latest(date) {
  const p = parse(date);
  if (!p) return NaN;
  if (p.d) return utc(p.y, p.m - 1, p.d + 1);
  if (p.m) return utc(p.y, p.m, 1);
  return utc(p.y + 1, 0, 1);
}

/** [earliest, latest) of the period a start and an optional end may cover. */
export const span = (start, end) => [earliest(start), latest(end || start)];

/** How precisely a date is known: "day", "month" or "year". */
export function precision(date) {
  const p = parse(date);
  return !p ? 'year' : p.d ? 'day' : p.m ? 'month' : 'year';
}

/** A machine-readable value for <time datetime> when the period is one date. */
export const datetime = (start, end) => (!end || end === start ? start : null);

/** A timestamp for people, in the browser's time zone, named: "7 Dec 2026, 06:45 UTC". */
export function formatTime(iso) {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso || '';
  return t.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
}
