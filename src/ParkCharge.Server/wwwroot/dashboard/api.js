// The public /api/v1 API with the signed-in API key (Authorization: Bearer). Nothing else is called.

const KEY = 'parkcharge.apiKey';

export const key = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

/** An API answer that was not a success, with the problem details' title and detail. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Listeners told when the key is refused (401): the app goes back to sign-in. */
const unauthorized = new Set();
export const onUnauthorized = (listener) => unauthorized.add(listener);

async function request(method, path, body, apiKey) {
  const k = apiKey ?? key.get();
  if (!k) throw new ApiError(401, { title: 'Not signed in' });
  const headers = { Authorization: `Bearer ${k}`, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    if (response.status === 401 && apiKey === undefined) unauthorized.forEach((l) => l(problem));
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body ?? {});
/** Checks a key before keeping it: who it belongs to and what its role may do. */
export const whoIs = (apiKey) => request('GET', '/me', undefined, apiKey);

/** A file from the API (the CSV report) as a download, since a link cannot carry the key. */
export async function download(path, filename) {
  const response = await fetch(`/api/v1${path}`, { headers: { Authorization: `Bearer ${key.get()}` } });
  if (!response.ok) throw new ApiError(response.status, null);
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The live event stream of one site (GET /api/v1/events/stream?site=). EventSource cannot send an
 * Authorization header, so this reads the server-sent events from fetch() and, after a drop,
 * reconnects with Last-Event-ID: the server continues right after the last event seen.
 */
export class EventStream {
  constructor(site, onEvent, onState) {
    this.site = site;
    this.onEvent = onEvent;
    this.onState = onState;
    this.lastId = null;
    this.abort = null;
    this.stopped = false;
    this.retryMs = 1000;
  }

  start() {
    this.loop();
    return this;
  }

  stop() {
    this.stopped = true;
    this.abort?.abort();
  }

  async loop() {
    while (!this.stopped) {
      this.abort = new AbortController();
      try {
        const headers = { Authorization: `Bearer ${key.get()}`, Accept: 'text/event-stream' };
        if (this.lastId) headers['Last-Event-ID'] = this.lastId;
        const response = await fetch(`/api/v1/events/stream?site=${encodeURIComponent(this.site)}`, { headers, signal: this.abort.signal, cache: 'no-store' });
        if (response.status === 401) {
          unauthorized.forEach((l) => l(null));
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        this.onState('live');
        await this.read(response.body);
      } catch (e) {
        if (this.stopped) return;
      }
      if (this.stopped) return;
      this.onState('reconnecting');
      await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }

  async read(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.dispatch(block);
      }
    }
  }

  dispatch(block) {
    let id = null;
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    }
    if (id !== null) this.lastId = id;
    if (data.length === 0) return;
    try {
      this.onEvent(JSON.parse(data.join('\n')));
    } catch {
      // not an event we understand: skip it
    }
  }
}
