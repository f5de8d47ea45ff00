/** Serves the Hono API over HTTP, with the accounts housekeeping that belongs to it. */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApi } from '../api/app.js';
import { answerClientError } from '../api/client-errors.js';
import { startAccountMaintenance } from '../services/account-maintenance.js';
import { limitPasswordHashing } from '../services/accounts.js';
import type { RunningComponent, SystemContext } from './system-context.js';

export async function startApiServer(
  ctx: SystemContext,
): Promise<RunningComponent & { url: string }> {
  const log = ctx.log.child('api');
  if (ctx.config.PASSWORD_HASH_CONCURRENCY)
    limitPasswordHashing(ctx.config.PASSWORD_HASH_CONCURRENCY);
  const app = createApi({ ...ctx, log });
  if (!ctx.email) log.warn('no SMTP_URL: password-reset and booking emails cannot be sent');
  const server = serve({ fetch: app.fetch, port: ctx.config.PORT, hostname: ctx.config.HOST });
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${ctx.config.HOST}:${port}`;
  log.info('listening', { url });
  // Every replica runs it: the deletes are idempotent, so overlapping purges only repeat work.
  const maintenance = startAccountMaintenance({
    intervalMs: ctx.config.ACCOUNT_PURGE_INTERVAL,
    loginFailureWindowMs: ctx.config.LOGIN_FAILURE_WINDOW,
    log: log.child('maintenance'),
  });
  return {
    name: 'api',
    url,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await maintenance.stop();
    },
  };
}
