/** The StaySaga processes that can run together in one Node process or each on its own. */
import { startApiServer } from './api-server.js';
import { startBookingUpdatesBridge } from './booking-updates-bridge.js';
import { startBookingWorker } from './booking-worker.js';
import { startOwnerNotifier } from './owner-notifier.js';
import { startHealthServer } from './health-server.js';
import type { RunningComponent, SystemContext } from './system-context.js';

export const COMPONENTS = {
  api: startApiServer,
  worker: startBookingWorker,
  bridge: startBookingUpdatesBridge,
  notifier: startOwnerNotifier,
} as const;
export type ComponentName = keyof typeof COMPONENTS;
export const ALL_COMPONENTS = Object.keys(COMPONENTS) as ComponentName[];

export function parseComponentNames(text: string | undefined): ComponentName[] {
  if (!text || text === 'all') return ALL_COMPONENTS;
  const names = text.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !(n in COMPONENTS));
  if (unknown.length > 0) {
    throw new Error(`Unknown component(s) ${unknown.join(', ')}; use ${ALL_COMPONENTS.join(', ')}`);
  }
  return names as ComponentName[];
}

/** Starts the named components in order; stops them in reverse. */
export async function startComponents(ctx: SystemContext, names: ComponentName[]) {
  const running: RunningComponent[] = [];
  for (const name of names) running.push(await COMPONENTS[name](ctx));
  if (!names.includes('api')) {
    const { HEALTH_PORT, HOST } = ctx.config;
    running.push(await startHealthServer(HEALTH_PORT, HOST, names));
  }
  return {
    running,
    async stop() {
      for (const component of [...running].reverse()) {
        try {
          await component.stop();
        } catch (error) {
          ctx.log.warn('stop failed', { component: component.name, error });
        }
      }
      await ctx.close();
    },
  };
}
