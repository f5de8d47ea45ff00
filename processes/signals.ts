/**
 * Ctrl-C for the entry points. A module of its own (no Temporal, no Mongo): `npm run
 * start:cluster` runs no component and must not load the Temporal worker's native module.
 */
import type { Logger } from '../config/logger.js';

/** Until everything is up, Ctrl-C just exits; the exit hook takes the servers down with us. */
export function exitOnSignalsWhileStarting(): () => void {
  const exit = () => process.exit(130);
  process.once('SIGINT', exit);
  process.once('SIGTERM', exit);
  return () => {
    process.off('SIGINT', exit);
    process.off('SIGTERM', exit);
  };
}

/** The first SIGINT or SIGTERM runs `stop` once, then exits 0 (or 1 when stopping failed). */
export function stopOnSignals(stop: () => Promise<void>, log: Logger) {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info(`received ${signal}, shutting down`);
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error('shutdown failed', { error });
          process.exit(1);
        },
      );
    });
  }
}
