/**
 * vitest global setup for the integration suite: starts the real embedded stack on free ports
 * in a fresh data directory (or uses TEMPORAL_ADDRESS / KAFKA_BROKERS / MONGODB_URI / SMTP_URL /
 * AGENT_LLM_URL when given), the agent's model server included (the real local model, unless
 * STAYSAGA_AGENT=off), then the whole StaySaga system, exactly as `npm start` does.
 */
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../config/logger.js';
import { agentEnabledFromEnv } from '../../stack/llm.js';
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
    /**
     * The agent's model server, OpenAI-compatible (`http://127.0.0.1:<port>/v1`), and the model
     * name it serves; null with STAYSAGA_AGENT=off. A test that must break a model server starts
     * one of its own (`startThrowawayModelServer`, stack/throwaway-stack.ts): this one is shared.
     */
    agentLlmUrl: string | null;
    agentLlmModel: string | null;
    /** Its pid file (the pid leads its process group); null when the stack did not start it. */
    agentLlmPidFile: string | null;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const agent = agentEnabledFromEnv();
  const { stack, apiPort: api, remove } = await startThrowawayStack('it', { agent });
  const system = await runComponentsOn(
    stack,
    'all',
    {
      PORT: String(api),
      // The agent service in the same process, on a free port the API is told (never 8000,
      // which \`npm start\` may hold).
      AGENT_PORT: '0',
      // The suite's files share two cores with the model: a plan may take minutes, not seconds.
      AGENT_LLM_TIMEOUT: '150s',
      AGENT_TIMEOUT: '320s',
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
  project.provide('agentLlmUrl', stack.env.AGENT_LLM_URL ?? null);
  project.provide('agentLlmModel', stack.env.AGENT_LLM_MODEL ?? null);
  project.provide('agentLlmPidFile', stack.llm?.pidFile ?? null);

  return async () => {
    await system.stop();
    await remove();
  };
}
