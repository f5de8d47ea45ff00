/**
 * Serves the web app (`web/dist`, built by `npm run build:web`) and proxies `/api/*` to the API,
 * so the browser sees one origin: no CORS, and the API's httpOnly session cookie just works.
 * Proxied answers are streamed as they arrive (the `/api/events` server-sent events included):
 * nothing is buffered or compressed on the way. Every other GET that is not a file is the app's
 * `index.html` (client-side routes such as `/trips` or `/reset-password?token=...`).
 */
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Hono, type Context } from 'hono';
import { proxy } from 'hono/proxy';
import type { Logger } from '../config/logger.js';

export const DEFAULT_WEB_PORT = 5173;
export const WEB_DIST_DIR = resolve(import.meta.dirname, '..', 'web', 'dist');

export interface WebServerOptions {
  /** Where the API answers, e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  port: number;
  host: string;
  /** The built app; default web/dist. */
  distDir?: string;
  log: Logger;
}

/** Headers a proxy must not pass on (RFC 9110 7.6.1), and those the API must set itself. */
const NOT_FORWARDED = ['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade'];

/**
 * The answer's body as it streams, ended instead of failed when the upstream read stops: when
 * the browser goes away (an event stream closed, a page left) the upstream request is aborted,
 * and that is no error worth a stack trace.
 */
function endQuietly(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch {
        controller.close();
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

function browserAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // Not on a socket (app.request in a test).
  }
}

export function createWebApp({
  apiUrl,
  distDir = WEB_DIST_DIR,
}: {
  apiUrl: string;
  distDir?: string;
}) {
  const api = apiUrl.replace(/\/$/, '');
  const app = new Hono();

  app.all('/api/*', async (c) => {
    const url = new URL(c.req.url);
    const headers = new Headers(c.req.raw.headers);
    for (const name of NOT_FORWARDED) headers.delete(name);
    // Who the browser is, for the API's log-in throttle (it trusts a proxy on loopback): the
    // address appended last, as nginx's $proxy_add_x_forwarded_for does.
    const browser = browserAddress(c);
    if (browser) {
      const before = headers.get('x-forwarded-for');
      headers.set('x-forwarded-for', before ? `${before}, ${browser}` : browser);
    }
    try {
      const answer = await proxy(`${api}${url.pathname}${url.search}`, {
        raw: c.req.raw,
        headers,
        redirect: 'manual',
      });
      // Server-sent events must reach the browser event by event.
      if (answer.headers.get('content-type')?.startsWith('text/event-stream')) {
        answer.headers.set('cache-control', 'no-cache');
        answer.headers.set('x-accel-buffering', 'no');
      }
      if (!answer.body) return answer;
      const { status, statusText, headers: answerHeaders } = answer;
      return new Response(endQuietly(answer.body), { status, statusText, headers: answerHeaders });
    } catch {
      const message = `The API at ${api} does not answer; is the system running?`;
      return c.json({ error: { code: 'api_unreachable', message } }, 502);
    }
  });

  // Hashed file names under /assets never change: cache them for good; index.html never.
  app.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.status === 200) c.header('cache-control', 'public, max-age=31536000, immutable');
  });
  app.use('*', serveStatic({ root: distDir, precompressed: true }));
  app.get('*', async (c) => {
    const index = join(distDir, 'index.html');
    if (!existsSync(index)) {
      return c.text('The web app is not built: run `npm run build:web`.', 503);
    }
    const { readFile } = await import('node:fs/promises');
    c.header('cache-control', 'no-cache');
    return c.html(await readFile(index, 'utf8'));
  });
  return app;
}

export async function startWebServer(options: WebServerOptions) {
  const app = createWebApp(options);
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host });
  await new Promise<void>((resolveListening, reject) => {
    server.once('listening', resolveListening);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  options.log.info('serving the web app', { url, api: options.apiUrl });
  return {
    name: 'web',
    url,
    async stop() {
      // Open event streams would hold close() forever: end every connection.
      const closing = new Promise<void>((done) => server.close(() => done()));
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closing;
    },
  };
}
