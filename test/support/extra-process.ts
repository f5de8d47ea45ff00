/**
 * StaySaga processes started next to the suite's system, on the same stack (`tsx processes/main.ts
 * <components>` or a script): a deployment shape of their own, or settings the shared system
 * must not have. Each resolves once its output shows it is ready; `stopExtraProcesses` kills them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, inject } from 'vitest';
import { eventually } from './eventually.js';

const children: ChildProcess[] = [];

export function startExtraProcess(args: string[], env: Record<string, string>, ready: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      KAFKA_BROKERS: inject('kafkaBrokers'),
      MONGODB_URI: inject('mongoUri'),
      SMTP_URL: inject('smtpUrl'),
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return eventually(() => expect(output).toMatch(ready), { timeoutMs: 60_000 });
}

export function stopExtraProcesses(): void {
  for (const child of children.splice(0)) child.kill('SIGKILL');
}
