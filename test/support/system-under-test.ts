/**
 * vitest global setup for the integration suite: starts the real embedded stack on free ports
 * in a fresh data directory (or uses TEMPORAL_ADDRESS / KAFKA_BROKERS / MONGODB_URI / SMTP_URL
 * when given), then the whole StaySaga system (API, worker, bridge, notifier), exactly as
 * `npm start` does.
 */
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../config/logger.js';
import { startThrowawayStack } from '../../stack/throwaway-stack.js';
import { runComponentsOn } from '../../processes/main.js';

/** Short enough to watch a booking expire in a test, long enough to decide in the others. */
export const TEST_OWNER_DECISION_TIMEOUT = '20s';

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    temporalAddress: string;
    kafkaBrokers: string;
    mongoUri: string;
    smtpUrl: string;
    /** Mailpit's web UI and HTTP API; null when SMTP_URL points elsewhere without MAIL_WEB_URL. */
    mailWebUrl: string | null;
    ownerDecisionTimeout: string;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const { stack, apiPort: api, remove } = await startThrowawayStack('it');
  const system = await runComponentsOn(
    stack,
    'all',
    {
      PORT: String(api),
      OWNER_DECISION_TIMEOUT: TEST_OWNER_DECISION_TIMEOUT,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    createLogger('sut', 'warn'),
  );
  process.stdout.write(`[sut] system up in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);

  project.provide('apiUrl', `http://127.0.0.1:${api}`);
  project.provide('temporalAddress', stack.env.TEMPORAL_ADDRESS);
  project.provide('kafkaBrokers', stack.env.KAFKA_BROKERS);
  project.provide('mongoUri', stack.env.MONGODB_URI);
  project.provide('smtpUrl', stack.env.SMTP_URL);
  project.provide('mailWebUrl', stack.mailWebUrl);
  project.provide('ownerDecisionTimeout', TEST_OWNER_DECISION_TIMEOUT);

  return async () => {
    await system.stop();
    await remove();
  };
}
