/**
 * Health for processes that serve no API (worker, bridge, notifier): `GET /health` on
 * HEALTH_PORT answers 200 with the components this process runs, for container healthchecks
 * and Kubernetes probes. It is only started once every component is up.
 */
import { createServer, type Server } from 'node:http';
import type { RunningComponent } from './system-context.js';

export function startHealthServer(
  port: number,
  host: string,
  components: readonly string[],
): Promise<RunningComponent> {
  const server: Server = createServer((req, res) => {
    const ok = req.method === 'GET' && req.url === '/health';
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { status: 'ok', components } : { error: { code: 'not_found' } }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({
        name: 'health',
        stop: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}
