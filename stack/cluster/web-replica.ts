/**
 * One web-server replica of the cluster as a process of its own (processes/web-server.ts: the
 * built app, and /api proxied), so the proxy has two to balance and either can be killed:
 *
 *   WEB_PORT=3150 STAYSAGA_WEB_API_URL=http://127.0.0.1:3000 tsx stack/cluster/web-replica.ts
 *
 * Its /api goes to the proxy's API address, not to one API replica: the proxy is the one place
 * that knows which API replicas are up. (Through the proxy's web port, /api never reaches a web
 * replica at all: HAProxy sends it to the API replicas directly.)
 */
import { createLogger } from '../../config/logger.js';
import { startWebServer } from '../../processes/web-server.js';

const log = createLogger('web');
const apiUrl = process.env.STAYSAGA_WEB_API_URL;
if (!apiUrl) throw new Error('STAYSAGA_WEB_API_URL is not set: where does /api go?');

const web = await startWebServer({
  apiUrl,
  port: Number(process.env.WEB_PORT ?? 0),
  host: process.env.HOST ?? '127.0.0.1',
  log,
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    web.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
