/**
 * Serves the Hono API over HTTP, with the accounts housekeeping that belongs to it and, where it
 * serves `auth` (so `GET /api/events`), the live-events feed from Kafka.
 */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApi } from '../api/app.js';
import { answerClientError } from '../api/client-errors.js';
import { startLiveEventFeed } from '../kafka/live-events.js';
import { liveEventsTopic } from '../kafka/topics.js';
import { startAccountMaintenance } from '../services/account-maintenance.js';
import { limitPasswordHashing } from '../services/accounts.js';
import { LiveEventHub } from '../services/live-events.js';
import type { RunningComponent, SystemContext } from './system-context.js';

export async function startApiServer(
  ctx: SystemContext,
): Promise<RunningComponent & { url: string }> {
  const log = ctx.log.child('api');
  if (ctx.config.PASSWORD_HASH_CONCURRENCY)
    limitPasswordHashing(ctx.config.PASSWORD_HASH_CONCURRENCY);
  const { config } = ctx;
  const liveEvents = new LiveEventHub({
    windowMs: config.LIVE_EVENTS_REPLAY_WINDOW,
    maxPerUser: config.LIVE_EVENTS_BUFFER_PER_USER,
    maxEvents: config.LIVE_EVENTS_BUFFER_TOTAL,
  });
  // Read before the first stream can open, so a reconnecting client finds its last hour here.
  const feed = config.API_SERVICES.includes('auth')
    ? await startLiveEventFeed({
        kafka: ctx.kafka,
        topic: liveEventsTopic(ctx.topics),
        hub: liveEvents,
        windowMs: config.LIVE_EVENTS_REPLAY_WINDOW,
        log: log.child('live'),
      })
    : null;
  const app = createApi({ ...ctx, log, liveEvents });
  if (!ctx.email) log.warn('no SMTP_URL: password-reset and booking emails cannot be sent');
  if (!config.AGENT_API_KEY) log.warn('no AGENT_API_KEY: the trip planner answers 503');
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
      // Open event streams never end by themselves: end them, or close() would wait for them,
      // and close their connections as they go idle (a keep-alive one would wait for its timeout).
      liveEvents.endAll();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const idle = setInterval(() => (server as Server).closeIdleConnections(), 50);
      await closed.finally(() => clearInterval(idle));
      await maintenance.stop();
      await feed?.stop();
    },
  };
}
