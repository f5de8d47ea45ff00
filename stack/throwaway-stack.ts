/**
 * A stack of its own for one test run or benchmark: a fresh temporary data directory and free
 * ports, so it never collides with `npm start` or another run, and nothing is left behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type RunningStack, type StackPorts } from './index.js';
import type { KafkaSecurityMode } from './kafka.js';
import { startModelServer, type LocalModel, type ModelServer } from './llm.js';
import { freePorts } from './ports.js';

export interface ThrowawayStack {
  stack: RunningStack;
  dataDir: string;
  ports: StackPorts;
  /** A free port for the API of the system that runs on this stack. */
  apiPort: number;
  /** Stops the servers and deletes the data directory (unless asked to keep it). */
  remove: (options?: { keepData?: boolean }) => Promise<void>;
}

export async function startThrowawayStack(
  name: string,
  options: {
    ownServers?: boolean;
    kafkaSecurity?: KafkaSecurityMode;
    /** Also the agent's model server (stack/llm.ts), unless AGENT_LLM_URL names one; default off. */
    agent?: boolean;
  } = {},
): Promise<ThrowawayStack> {
  const dataDir = mkdtempSync(join(tmpdir(), `staysaga-${name}-`));
  const [temporal, temporalUi, kafka, kafkaController, mongo, smtp, mailWeb, llm, apiPort] =
    (await freePorts(9)) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
  const ports = { temporal, temporalUi, kafka, kafkaController, mongo, smtp, mailWeb, llm };
  let stack: RunningStack;
  try {
    stack = await startStack({
      dataDir,
      ports,
      // Plaintext unless asked: the tests' own Kafka clients log in only when they know to.
      kafkaSecurity: options.kafkaSecurity ?? 'plaintext',
      agent: options.agent ?? false,
      // Our own servers whatever the shell points at, when the caller needs to break them.
      env: options.ownServers
        ? {
            ...process.env,
            TEMPORAL_ADDRESS: '',
            KAFKA_BROKERS: '',
            MONGODB_URI: '',
            SMTP_URL: '',
            AGENT_LLM_URL: '',
          }
        : process.env,
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    stack,
    dataDir,
    ports,
    apiPort,
    remove: async ({ keepData = false } = {}) => {
      await stack.stop();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A model server of its own (stack/llm.ts) on a free port with a temporary data directory, for a
 * test that stops or kills it (`server.kill()`, `server.start()`) without touching the shared one.
 * About 4 s to load and 0.7 GB for the 0.5B model; installs on first use like the stack does.
 */
export async function startThrowawayModelServer(
  name: string,
  options: { model?: LocalModel; echo?: boolean } = {},
): Promise<{ server: ModelServer; remove: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), `staysaga-${name}-llm-`));
  const [port] = (await freePorts(1)) as [number];
  let server: ModelServer;
  try {
    server = await startModelServer({
      dataDir,
      port,
      echo: options.echo ?? false,
      model: options.model,
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    server,
    remove: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
