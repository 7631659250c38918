// Timeline: events as bars over the whole period their dates may cover, zoomable from decades
// to days and filtered like GET /v1/events; the same events as a list for everyone.

import { h, s } from './dom.js';
import { url } from './api.js';
import { listBlock, eventItem, section, newButton, LIMIT } from './records.js';
import { span, earliest, latest, utc, DAY, MONTHS, precision, formatPeriod, formatDate } from './dates.js';
import { navigate } from './ui.js';
import { field, choice, readFilters, filterInput, submitTo } from './forms.js';
import { CATEGORIES, ROLES } from './vocabulary.js';

const FILTERS = ['actor', 'role', 'category', 'country', 'from', 'to'];
const ZOOMS = ['decades', 'years', 'months', 'days'];
const PX_PER_DAY = { decades: 9 / 365.25, years: 90 / 365.25, months: 3, days: 32 };
const MAX_WIDTH = 20000, FIT = 1200, ROW = 24, AXIS = 34, PAD = 8;
const MON = (m) => MONTHS[m].slice(0, 3);

function parts(t) {
  const d = new Date(t);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
}
function floorTo(t, zoom) {
  const [y, m, d] = parts(t);
  return zoom === 'decades' ? utc(Math.floor(y / 10) * 10, 0, 1) : zoom === 'years' ? utc(y, 0, 1) : zoom === 'months' ? utc(y, m, 1) : utc(y, m, d);
}
function step(t, zoom) {
  const [y, m, d] = parts(t);
  return zoom === 'decades' ? utc(y + 10, 0, 1) : zoom === 'years' ? utc(y + 1, 0, 1) : zoom === 'months' ? utc(y, m + 1, 1) : utc(y, m, d + 1);
}
const ceilTo = (t, zoom) => (floorTo(t, zoom) === t ? t : step(floorTo(t, zoom), zoom));

/** The period to draw: the filters' dates when given, else what the events cover. */
function extent(spans, filters) {
  let lo = Math.min(...spans.map((x) => x.a)), hi = Math.max(...spans.map((x) => x.b));
  if (filters.from && !Number.isNaN(earliest(filters.from))) lo = earliest(filters.from);
  if (filters.to && !Number.isNaN(latest(filters.to))) hi = latest(filters.to);
  return hi > lo ? [lo, hi] : [lo, lo + DAY];
}

/** The finest zoom at which the whole period fits about a laptop's width. */
function autoZoom(spans, filters) {
  if (!spans.length) return 'years';
  const [lo, hi] = extent(spans, filters);
  return [...ZOOMS].reverse().find((z) => ((ceilTo(hi, z) - floorTo(lo, z)) / DAY) * PX_PER_DAY[z] <= FIT) || 'decades';
}

function tickLabels(t, zoom, first) {
  const [y, m, d] = parts(t);
  if (zoom === 'decades') return [null, `${y}s`];
  if (zoom === 'years') return [null, String(y)];
  if (zoom === 'months') return [m === 0 || first ? String(y) : null, MON(m)];
  return [d === 1 || first ? `${MONTHS[m]} ${y}` : null, String(d)];
}

const day = (ms) => formatDate(new Date(ms).toISOString().slice(0, 10));

/**
 * The SVG chart; each event a <g data-id data-kind="event"> holding a bar and its label. A bar cut
 * at the chart's edge ends in an arrow there, not in a date. `loaded` events are in, `more` match.
 */
function chart(spans, zoom, filters, loaded, more) {
  const ppd = PX_PER_DAY[zoom];
  let [lo, hi] = extent(spans, filters);
  lo = floorTo(lo, zoom);
  hi = ceilTo(hi, zoom);
  let cropped = false;
  if (((hi - lo) / DAY) * ppd > MAX_WIDTH) {
    // Too long to draw at this zoom: show the stretch where most events start (or From onwards).
    const length = (MAX_WIDTH / ppd) * DAY;
    const starts = spans.map((sp) => Math.max(sp.a, lo)).sort((a, b) => a - b);
    let best = 0, count = 0;
    for (let i = 0, j = 0; i < starts.length && !filters.from; i++) {
      while (j < starts.length && starts[j] < starts[i] + length) j++;
      if (j - i > count) { count = j - i; best = i; }
    }
    if (!filters.from) lo = floorTo(starts[best], zoom);
    hi = floorTo(lo + length, zoom);
    cropped = true;
  }
  const x = (t) => PAD + ((Math.min(Math.max(t, lo), hi) - lo) / DAY) * ppd;
  const lanes = [];
  const bars = [];
  for (const sp of [...spans].sort((a, b) => a.a - b.a || a.b - b.b)) {
    if (sp.b <= lo || sp.a >= hi) continue;
    const x0 = x(sp.a), x1 = Math.max(x(sp.b), x0 + 3);
    const cutA = sp.a < lo, cutB = sp.b > hi;
    const label = sp.e.title.length > 70 ? `${sp.e.title.slice(0, 69)}…` : sp.e.title;
    const inside = x1 - x0 >= label.length * 6.4 + 10;
    const after = x1 + (cutB ? 6 : 0);
    let lane = lanes.findIndex((end) => end + 10 <= x0 - (cutA ? 6 : 0));
    if (lane < 0) { lane = lanes.length; lanes.push(0); }
    lanes[lane] = inside ? after : after + 6 + label.length * 6.4;
    const y = AXIS + lane * ROW + 4, half = (ROW - 8) / 2;
    const known = [precision(sp.e.start), precision(sp.e.end || sp.e.start)];
    const p = known.includes('year') ? 'year' : known.includes('month') || sp.b - sp.a > DAY ? 'month' : 'day';
    const cut = [cutA && `starts before ${day(lo)}`, cutB && `ends after ${day(hi - DAY)}`].filter(Boolean).join(' and ');
    bars.push(s('g', { 'data-id': sp.e.id, 'data-kind': 'event', class: 'bar' },
      s('title', {}, `${sp.e.title} (${formatPeriod(sp.e.start, sp.e.end)})${cut ? `; cut at the chart’s edge: it ${cut}` : ''}`),
      s('rect', { x: x0.toFixed(1), y, width: (x1 - x0).toFixed(1), height: ROW - 8, rx: 2, class: `p-${p}` }),
      cutA ? s('path', { d: `M${x0.toFixed(1)} ${y}l-5 ${half}l5 ${half}z`, class: 'clip' }) : null,
      cutB ? s('path', { d: `M${x1.toFixed(1)} ${y}l5 ${half}l-5 ${half}z`, class: 'clip' }) : null,
      s('text', { x: (inside ? x0 + 5 : after + 4).toFixed(1), y: y + ROW - 12, class: 'label' }, label)));
  }
  const width = Math.ceil(Math.max(x(hi), ...lanes) + PAD);
  const height = AXIS + Math.max(lanes.length, 1) * ROW + 8;
  const ticks = [];
  for (let t = lo, first = true; t <= hi; t = step(t, zoom), first = false) {
    const [major, minor] = tickLabels(t, zoom, first);
    const tx = x(t);
    ticks.push(s('line', { x1: tx, x2: tx, y1: major ? 4 : 18, y2: height, class: major ? 'tick major' : 'tick' }));
    if (major) ticks.push(s('text', { x: tx + 3, y: 13, class: 'axis major' }, major));
    if (t < hi) ticks.push(s('text', { x: tx + 3, y: 29, class: 'axis' }, minor));
  }
  const svg = s('svg', {
    id: 'timeline-chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `Chart of ${bars.length === loaded ? 'the' : `${bars.length} of the`} ${loaded} events loaded so far${more ? ', of more that match' : ''}, `
      + `from ${day(lo)} to ${day(hi - DAY)}; the list below gives the same events.`,
  }, ticks, bars);
  svg.addEventListener('click', (event) => {
    const g = event.target.closest('g[data-id]');
    if (g) navigate(`/explore/events/${encodeURIComponent(g.dataset.id)}`);
  });
  return { svg, cropped, lo, hi };
}

export async function timelineView(ctx) {
  const q = ctx.query;
  const filters = readFilters(q, FILTERS);
  const asked = ZOOMS.includes(q.get('zoom')) ? q.get('zoom') : null;
  ctx.watch = (change) => change.kind === 'event';
  ctx.curl('GET', url('/v1/events', { ...filters, limit: LIMIT }));

  const input = filterInput('f', filters);
  const form = submitTo(h('form', { id: 'timeline-filters', class: 'filters', action: '/explore/timeline' },
    input('actor', 'Actor', 'slug or id'),
    field('Role', choice({ id: 'f-role', name: 'role' }, ROLES, filters.role), 'e.g. host'),
    field('Category', choice({ id: 'f-category', name: 'category' }, CATEGORIES, filters.category), 'e.g. protest'),
    input('country', 'Country', 'two letters, e.g. BY', { maxlength: 2, size: 4 }),
    input('from', 'From', 'e.g. 2022-03', { inputmode: 'numeric', size: 10 }),
    input('to', 'To', 'e.g. 2022-03', { inputmode: 'numeric', size: 10 }),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'timeline-apply' }, 'Apply'),
      h('a', { href: '/explore/timeline' }, 'Clear filters'))), '/explore/timeline', (params) => {
    if (params.get('country')) params.set('country', params.get('country').toUpperCase());
    if (asked) params.set('zoom', asked);
  });

  const zoomBar = h('div', { id: 'zoom', role: 'group', 'aria-label': 'Zoom', class: 'zoom' });
  const scroller = h('div', { class: 'chart-scroll', role: 'region', 'aria-label': 'Timeline chart, scrolls sideways', tabindex: 0 });
  const note = h('p', { class: 'note' });
  const events = [];
  let more = false;
  const draw = () => {
    const spans = events.map((e) => { const [a, b] = span(e.start, e.end); return { e, a, b }; })
      .filter((x) => !Number.isNaN(x.a) && !Number.isNaN(x.b));
    const zoom = asked || autoZoom(spans, filters);
    zoomBar.replaceChildren(...ZOOMS.map((z) => h('button', {
      type: 'button', 'data-zoom': z, 'aria-pressed': String(z === zoom),
      onclick: () => {
        const params = new URLSearchParams(location.search);
        params.set('zoom', z);
        navigate(`/explore/timeline?${params}`);
      },
    }, z[0].toUpperCase() + z.slice(1))));
    if (!spans.length) { scroller.replaceChildren(h('p', { class: 'empty' }, 'No events to draw.')); note.textContent = ''; return; }
    const { svg, cropped, lo, hi } = chart(spans, zoom, filters, events.length, more);
    scroller.replaceChildren(svg);
    note.textContent = [
      more ? `The chart shows the ${events.length} events loaded so far; more match: “Load more” under the list adds them.` : '',
      cropped ? `At this zoom it shows ${day(lo)} to ${day(hi - DAY)}, where most of these events are; set From and To to see another period.` : '',
    ].join(' ').trim();
  };
  const block = listBlock(ctx, {
    id: 'timeline-list', path: '/v1/events', params: filters, item: eventItem,
    empty: 'No events match these filters.', onPage: (items, next) => { events.push(...items); more = !!next; draw(); },
  });
  draw();
  const legend = h('ul', { class: 'legend' },
    h('li', {}, h('span', { class: 'swatch p-day' }), 'a known day'),
    h('li', {}, h('span', { class: 'swatch p-month' }), 'a month, or a span of days'),
    h('li', {}, h('span', { class: 'swatch p-year' }), 'a year or years: the whole period it may cover'),
    h('li', {}, h('span', { class: 'cut', 'aria-hidden': 'true' }, '◀ ▶'), 'cut at the chart’s edge: it goes on beyond'));
  ctx.root.append(
    h('h1', {}, 'Timeline'),
    newButton('event'),
    form,
    section('Chart', 'chart', zoomBar, scroller, note, legend),
    section('Events', 'events', h('p', { class: 'hint' }, 'In date order; each date as precisely as it is known.'), block.el));
  await block.ready;
}
