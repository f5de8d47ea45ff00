/**
 * A stack of its own for one test run or benchmark: a fresh temporary data directory and free
 * ports, so it never collides with `npm start` or another run, and nothing is left behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type RunningStack, type StackPorts } from './index.js';
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
  options: { ownServers?: boolean } = {},
): Promise<ThrowawayStack> {
  const dataDir = mkdtempSync(join(tmpdir(), `staysaga-${name}-`));
  const [temporal, temporalUi, kafka, kafkaController, mongo, apiPort] = (await freePorts(6)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ports = { temporal, temporalUi, kafka, kafkaController, mongo };
  let stack: RunningStack;
  try {
    stack = await startStack({
      dataDir,
      ports,
      // Our own servers whatever the shell points at, when the caller needs to break them.
      env: options.ownServers
        ? { ...process.env, TEMPORAL_ADDRESS: '', KAFKA_BROKERS: '', MONGODB_URI: '' }
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
