/**
 * Runs StaySaga components against infrastructure given by the environment:
 *   tsx processes/main.ts [agent,api,worker,bridge,notifier]   (or STAYSAGA_COMPONENTS; default: all)
 */
import { DefaultLogger, Runtime, type WorkerInterceptors } from '@temporalio/worker';
import { loadConfig, type AppConfig } from '../config/env.js';
import { createLogger, type Logger } from '../config/logger.js';
import { onlyStandalone, parseComponentNames, startComponents } from './components.js';
import { stopOnSignals } from './signals.js';
import { openSystemContext } from './system-context.js';

/** In-process extras, for a caller that runs the components itself (the bench). */
export interface ComponentExtras {
  /** Added to the booking worker, e.g. to observe activities as they finish. */
  workerInterceptors?: WorkerInterceptors;
}

export async function runComponents(
  names: string | undefined,
  config: AppConfig,
  log: Logger,
  extras: ComponentExtras = {},
) {
  // We own shutdown: stop every component in order instead of the SDK reacting on its own.
  // The SDK's own logs (bundler output, state changes) only matter when something is wrong.
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });
  const components = parseComponentNames(names);
  // The agent alone needs no database, broker or Temporal: it opens none of them.
  if (onlyStandalone(components)) {
    return startComponents({ config, log, close: () => Promise.resolve() }, components);
  }
  const ctx = await openSystemContext(config, log);
  return startComponents({ ...ctx, ...extras }, components);
}

/**
 * Runs components against servers this process started (a local stack's addresses in `env`),
 * with extra settings on top of the environment. Typed by shape so production code never
 * depends on stack/; the process's own environment is left as it is.
 */
export function runComponentsOn(
  stack: { env: Record<string, string> },
  names: string | undefined,
  settings: Record<string, string>,
  log: Logger,
  extras: ComponentExtras = {},
) {
  const config = loadConfig({ ...process.env, ...stack.env, ...settings });
  return runComponents(names, config, log, extras);
}

const isEntryPoint = import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntryPoint) {
  const log = createLogger('staysaga');
  const names = process.argv[2] ?? process.env.STAYSAGA_COMPONENTS;
  runComponents(names, loadConfig(), log).then(
    (system) => stopOnSignals(() => system.stop(), log),
    (error: unknown) => {
      log.error('failed to start', { error });
      process.exit(1);
    },
  );
}
