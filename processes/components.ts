/** The StaySaga processes that can run together in one Node process or each on its own. */
import { randomBytes } from 'node:crypto';
import { startAgentServer } from './agent-server.js';
import { startApiServer } from './api-server.js';
import { startBookingUpdatesBridge } from './booking-updates-bridge.js';
import { startBookingWorker } from './booking-worker.js';
import { startOwnerNotifier } from './owner-notifier.js';
import { startHealthServer } from './health-server.js';
import type { RunningComponent, SystemContext } from './system-context.js';

export const COMPONENTS = {
  // First: in a process with the API, the API is given the agent's address (AGENT_PORT=0 too).
  agent: startAgentServer,
  api: startApiServer,
  worker: startBookingWorker,
  bridge: startBookingUpdatesBridge,
  notifier: startOwnerNotifier,
} as const;
export type ComponentName = keyof typeof COMPONENTS;
export const ALL_COMPONENTS = Object.keys(COMPONENTS) as ComponentName[];

/** Components that need only the configuration: a process of these opens no Mongo, Kafka or Temporal. */
export const STANDALONE_COMPONENTS: readonly ComponentName[] = ['agent'];
export const onlyStandalone = (names: readonly ComponentName[]) =>
  names.every((n) => STANDALONE_COMPONENTS.includes(n));

/** What a process of standalone components has instead of the whole system context. */
export type StandaloneContext = Pick<SystemContext, 'config' | 'log' | 'close'>;

/**
 * The API and the agent in one process: when no AGENT_API_KEY is given, they share one made up
 * for the life of the process; and the API calls this agent unless AGENT_URL says otherwise.
 */
function withAgentSettings<C extends StandaloneContext>(
  ctx: C,
  names: readonly ComponentName[],
  agentUrl?: string,
): C {
  const both = names.includes('api') && names.includes('agent');
  if (!both) return ctx;
  const config = {
    ...ctx.config,
    AGENT_API_KEY: ctx.config.AGENT_API_KEY ?? randomBytes(32).toString('base64url'),
    AGENT_URL: ctx.config.AGENT_URL ?? agentUrl,
  };
  return { ...ctx, config };
}

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
export async function startComponents(
  given: SystemContext | StandaloneContext,
  names: ComponentName[],
) {
  const running: RunningComponent[] = [];
  const ctx = withAgentSettings(given, names);
  const ordered = [...names].sort((a, b) => Number(b === 'agent') - Number(a === 'agent'));
  let system: SystemContext | null = 'temporal' in ctx ? ctx : null;
  for (const name of ordered) {
    if (name === 'agent') {
      const agent = await startAgentServer(ctx);
      running.push(agent);
      if (system) system = withAgentSettings(system, names, agent.url);
      continue;
    }
    if (!system) throw new Error(`Component ${name} needs the system context`);
    running.push(await COMPONENTS[name](system));
  }
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
      await given.close();
    },
  };
}
