/**
 * A stack of its own for one test run or benchmark: a fresh temporary data directory and free
 * ports, so it never collides with `npm start` or another run, and nothing is left behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type RunningStack, type StackPorts } from './index.js';
import type { KafkaSecurityMode } from './kafka.js';
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
  options: { ownServers?: boolean; kafkaSecurity?: KafkaSecurityMode } = {},
): Promise<ThrowawayStack> {
  const dataDir = mkdtempSync(join(tmpdir(), `staysaga-${name}-`));
  const [temporal, temporalUi, kafka, kafkaController, mongo, smtp, mailWeb, apiPort] =
    (await freePorts(8)) as [number, number, number, number, number, number, number, number];
  const ports = { temporal, temporalUi, kafka, kafkaController, mongo, smtp, mailWeb };
  let stack: RunningStack;
  try {
    stack = await startStack({
      dataDir,
      ports,
      // Plaintext unless asked: the tests' own Kafka clients log in only when they know to.
      kafkaSecurity: options.kafkaSecurity ?? 'plaintext',
      // Our own servers whatever the shell points at, when the caller needs to break them.
      env: options.ownServers
        ? { ...process.env, TEMPORAL_ADDRESS: '', KAFKA_BROKERS: '', MONGODB_URI: '', SMTP_URL: '' }
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
