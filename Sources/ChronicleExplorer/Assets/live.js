// Following GET /v1/changes as server-sent events through fetch (so that a token can be sent),
// resuming with Last-Event-ID after a drop. <html data-live="on|off"> says whether the stream is open.

import { getToken } from './api.js';

const FASTEST = 1000, SLOWEST = 30000;
const setLive = (on) => { document.documentElement.dataset.live = on ? 'on' : 'off'; };

export function follow(onChange) {
  let last = '', retry = 2000, failures = 0, controller = null, running = false, generation = 0;
  setLive(false);

  function dispatch(event) {
    if (event.id) last = event.id;
    if (!event.data) return;
    let data;
    try { data = JSON.parse(event.data); } catch { return; } // data we do not understand is skipped
    // The handler runs on its own, so that its failures surface as errors and do not end the stream.
    if (event.type === 'change') queueMicrotask(() => onChange(data));
    else if (event.type === 'dropped' && data && data.resume) last = data.resume;
  }

  async function once(signal, mine) {
    const headers = { Accept: 'text/event-stream' };
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (last) headers['Last-Event-ID'] = last;
    const response = await fetch('/v1/changes', { headers, signal, cache: 'no-store' });
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      if (response.status === 422) last = ''; // a cursor the server no longer takes: follow from now
      return response.status === 401 || response.status === 403 ? 'stop' : 'retry';
    }
    failures = 0;
    if (mine === generation) setLive(true);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '', event = {};
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'retry';
      buffer += value;
      for (let end; (end = buffer.search(/[\r\n]/)) >= 0;) {
        // A \r at the very end may be the first half of a \r\n split across chunks: wait for more.
        if (buffer[end] === '\r' && end === buffer.length - 1) break;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
        if (line === '') { dispatch(event); event = {}; continue; }
        if (line[0] === ':') continue;
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        let text = colon < 0 ? '' : line.slice(colon + 1);
        if (text[0] === ' ') text = text.slice(1);
        if (name === 'data') event.data = event.data == null ? text : `${event.data}\n${text}`;
        else if (name === 'event') event.type = text;
        else if (name === 'id') event.id = text;
        else if (name === 'retry' && /^\d+$/.test(text)) retry = +text;
      }
    }
  }

  async function loop(mine) {
    while (running && mine === generation) {
      controller = new AbortController();
      let outcome = 'retry';
      try { outcome = await once(controller.signal, mine); } catch { /* a dropped connection: try again */ }
      if (mine !== generation) break;
      setLive(false);
      if (outcome === 'stop' || !running) break;
      failures++;
      // The server's retry, never under a second, doubled on each failure in a row up to 30 s.
      const wait = Math.min(Math.max(retry, FASTEST) * 2 ** (failures - 1), SLOWEST);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop(++generation);
    },
    restart() {
      this.stop();
      this.start();
    },
    stop() {
      running = false;
      generation++;
      setLive(false);
      if (controller) controller.abort();
    },
  };
}
