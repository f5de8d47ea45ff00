/**
 * The web app as `npm start` runs it: built first when `web/dist` is missing or older than its
 * sources (in parallel with the stack's start), then served on WEB_PORT (default 5173) with
 * /api proxied to the API. Never fatal: when it cannot be built or served, the system runs
 * without it and the start-up summary says why.
 */
import type { Logger } from '../config/logger.js';
import { ensureWebBuild } from './web-build.js';
import { DEFAULT_WEB_PORT, startWebServer } from './web-server.js';

export interface WebAppHandle {
  /** The summary line: the address, or why there is none. */
  line: string;
  stop(): Promise<void>;
}

/** Starts building when needed; resolves to null when web/dist is ready, else the reason. */
export function prepareWebApp(log: Logger): Promise<string | null> {
  if (process.env.STAYSAGA_WEB === 'off') return Promise.resolve('STAYSAGA_WEB=off');
  return ensureWebBuild((line) => process.stdout.write(`${line}\n`)).then(
    () => null,
    (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      log.warn('the web app could not be built', { reason });
      return `not built: ${reason}`;
    },
  );
}

export async function startWebApp(
  apiUrl: string | undefined,
  prepared: Promise<string | null>,
  log: Logger,
): Promise<WebAppHandle> {
  const notServed = (why: string) => ({ line: `(not served: ${why})`, stop: async () => {} });
  const problem = await prepared;
  if (problem) return notServed(problem);
  if (!apiUrl) return notServed('no API in this process');
  const port = Number(process.env.WEB_PORT ?? DEFAULT_WEB_PORT);
  const host = process.env.HOST ?? '127.0.0.1';
  try {
    const web = await startWebServer({ apiUrl, port, host, log: log.child('web') });
    return { line: `${web.url}   (the app; /api is proxied to the API)`, stop: () => web.stop() };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === 'EADDRINUSE'
        ? `${host}:${port} is in use; set WEB_PORT to another port`
        : error instanceof Error
          ? error.message
          : String(error);
    log.warn('the web app is not served', { why });
    return notServed(why);
  }
}
