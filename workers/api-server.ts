/** Serves the Hono API over HTTP. */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApi } from '../api/app.js';
import type { RunningComponent } from './components.js';
import type { SystemContext } from './system-context.js';

export async function startApiServer(
  ctx: SystemContext,
): Promise<RunningComponent & { url: string }> {
  const log = ctx.log.child('api');
  const app = createApi({ ...ctx, log });
  const server = serve({ fetch: app.fetch, port: ctx.config.PORT, hostname: ctx.config.HOST });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${ctx.config.HOST}:${port}`;
  log.info('listening', { url });
  return {
    name: 'api',
    url,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
