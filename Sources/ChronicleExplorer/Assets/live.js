// Following GET /v1/changes as server-sent events through fetch (so that a token can be sent),
// resuming with Last-Event-ID after a drop.

import { getToken } from './api.js';

export function follow(onChange) {
  let last = '', retry = 2000, failures = 0, controller = null, running = false, generation = 0;

  function dispatch(event) {
    if (event.id) last = event.id;
    if (!event.data) return;
    try {
      const data = JSON.parse(event.data);
      if (event.type === 'change') onChange(data);
      else if (event.type === 'dropped' && data.resume) last = data.resume;
    } catch { /* a line we do not understand is skipped */ }
  }

  async function once(signal) {
    const headers = { Accept: 'text/event-stream' };
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (last) headers['Last-Event-ID'] = last;
    const response = await fetch('/v1/changes', { headers, signal, cache: 'no-store' });
    if (response.status === 401 || response.status === 403) return 'stop';
    if (!response.ok || !response.body) { await response.body?.cancel(); return 'retry'; }
    failures = 0;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '', event = {};
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'retry';
      buffer += value;
      let end;
      while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
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
      try { outcome = await once(controller.signal); } catch { outcome = 'retry'; }
      if (outcome === 'stop' || !running || mine !== generation) break;
      failures++;
      await new Promise((resolve) => setTimeout(resolve, Math.min(retry * 2 ** Math.max(0, failures - 1), 60000)));
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
      if (controller) controller.abort();
    },
  };
}
