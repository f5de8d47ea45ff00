/**
 * A Server-Sent Events client for the tests and benchmarks, over fetch's body stream: it parses
 * the stream as the HTML standard's EventSource does (fields, comments, `id:` setting the last
 * event id even on a block without data) and keeps everything it heard, with when. No vitest
 * import, so the benchmarks can use it too.
 */

export interface SseEvent {
  event: string;
  data: string;
  /** The stream's last event id once this event was dispatched (what a browser would resend). */
  id: string;
  /** `performance.now()` when its last line arrived. */
  receivedAt: number;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** The JSON body of an answer that is not an event stream (a 401, say). */
  body: unknown;
  events: SseEvent[];
  comments: { text: string; receivedAt: number }[];
  /** As a browser keeps it: set by every `id:` field, with or without data. */
  readonly lastEventId: string;
  /** Whether the server ended the stream. */
  readonly ended: boolean;
  /** The first event (from the `from`-th on) that `match` accepts, waiting for it if need be. */
  waitFor(
    match: (event: SseEvent) => boolean,
    options?: { timeoutMs?: number; from?: number },
  ): Promise<SseEvent>;
  /** Resolves once the stream has heard a comment `text` (e.g. `heartbeat`), `count` of them. */
  waitForComment(text: string, options?: { timeoutMs?: number; count?: number }): Promise<void>;
  /** Resolves when the server ends the stream. */
  waitForEnd(options?: { timeoutMs?: number }): Promise<void>;
  close(): void;
}

export interface OpenStreamOptions {
  token?: string;
  lastEventId?: string;
  headers?: Record<string, string>;
}

/** Opens `url` (e.g. `${api}/api/events`) as an event stream; resolves once the answer's head came. */
export async function openEventStream(
  url: string,
  options: OpenStreamOptions = {},
): Promise<SseStream> {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  const response = await fetch(url, { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: SseStream['comments'] = [];
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  let lastEventId = '';
  let ended = false;
  let body: unknown;

  const isStream = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
  if (!isStream || !response.body) {
    const text = await response.text();
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    ended = true;
  } else {
    void readStream(response.body);
  }

  async function readStream(stream: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let buffer = '';
    let data = '';
    let type = '';
    let idBuffer = lastEventId;
    const line = (text: string) => {
      if (text === '') {
        lastEventId = idBuffer;
        if (data !== '') {
          events.push({
            event: type || 'message',
            data: data.endsWith('\n') ? data.slice(0, -1) : data,
            id: lastEventId,
            receivedAt: performance.now(),
          });
        }
        data = '';
        type = '';
        return;
      }
      if (text.startsWith(':')) {
        comments.push({ text: text.slice(1).trim(), receivedAt: performance.now() });
        return;
      }
      const colon = text.indexOf(':');
      const field = colon < 0 ? text : text.slice(0, colon);
      let value = colon < 0 ? '' : text.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') type = value;
      else if (field === 'data') data += `${value}\n`;
      else if (field === 'id' && !value.includes('\0')) idBuffer = value;
    };
    try {
      for await (const chunk of stream) {
        buffer += decoder.decode(chunk, { stream: true });
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop() ?? '';
        for (const text of lines) line(text);
        notify();
      }
    } catch {
      // aborted by close(), or the connection broke: either way the stream is over
    } finally {
      ended = true;
      notify();
    }
  }

  function until<T>(check: () => T | undefined, timeoutMs: number, what: () => string) {
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        const found = check();
        if (found === undefined) return false;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(found);
        return true;
      };
      const listener = () => {
        if (done()) return;
        if (ended) {
          clearTimeout(timer);
          listeners.delete(listener);
          reject(new Error(`the stream ended before ${what()}`));
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`no ${what()} within ${timeoutMs} ms`));
      }, timeoutMs);
      listeners.add(listener);
      listener();
    });
  }

  const heard = () =>
    `; heard ${JSON.stringify(events.map((e) => `${e.event} ${e.id} ${e.data.slice(0, 120)}`))}`;
  return {
    status: response.status,
    headers: response.headers,
    body,
    events,
    comments,
    get lastEventId() {
      return lastEventId;
    },
    get ended() {
      return ended;
    },
    waitFor(match, { timeoutMs = 10_000, from = 0 } = {}) {
      return until(
        () => events.slice(from).find(match),
        timeoutMs,
        () => `matching event${heard()}`,
      );
    },
    waitForComment(text, { timeoutMs = 10_000, count = 1 } = {}) {
      return until(
        () => (comments.filter((c) => c.text === text).length >= count ? true : undefined),
        timeoutMs,
        () => `${count} comment(s) "${text}"`,
      ).then(() => undefined);
    },
    waitForEnd({ timeoutMs = 10_000 } = {}) {
      return until(
        () => (ended ? true : undefined),
        timeoutMs,
        () => 'end of the stream',
      ).then(() => undefined);
    },
    close() {
      abort.abort();
    },
  };
}

/** The JSON data of an event. */
export function dataOf<T = any>(event: SseEvent): T {
  return JSON.parse(event.data) as T;
}
