/**
 * A local server process: its output prefixed by name (and kept in a log file), a readiness
 * probe, and a shutdown that signals its whole process group so no JVM or child is orphaned.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  pidFile: string;
  /** Echo the prefixed output to this process's stdout (the start command does; tests don't). */
  echo: boolean;
}

export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  exited: Promise<number | null>;
  hasExited(): boolean;
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

/** Last resort: if this Node process exits, take the servers down with it. */
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) killGroup(p.pid, 'SIGKILL');
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A server left running by a crashed earlier run would hold our ports and files: stop it. */
function stopStaleProcess(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) killGroup(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
}

export function startProcess(spec: ProcessSpec): ManagedProcess {
  installExitHook();
  stopStaleProcess(spec.pidFile);
  const log = createWriteStream(spec.logFile, { flags: 'a' });
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true, // its own process group, so stop() reaches its children too
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
  const pid = child.pid;
  writeFileSync(spec.pidFile, String(pid));

  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      log.write(line + '\n');
      if (spec.echo) process.stdout.write(`[${spec.name}] ${line}\n`);
    });
  }
  let exitedFlag = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitedFlag = true;
      live.delete(managed);
      rmSync(spec.pidFile, { force: true });
      log.end();
      resolve(code);
    });
  });
  const managed: ManagedProcess = {
    name: spec.name,
    pid,
    logFile: spec.logFile,
    exited,
    hasExited: () => exitedFlag,
    async stop(graceMs = 20_000) {
      if (exitedFlag) return;
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      killGroup(pid, 'SIGKILL'); // any straggler in the group
    },
  };
  live.add(managed);
  return managed;
}

/** The last lines a process logged, to explain why it failed. */
export function logTail(logFile: string, lines = 30): string {
  if (!existsSync(logFile)) return '(no log)';
  return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export class StackError extends Error {}

/** Polls `probe` until it returns true; fails fast, with the log tail, if the process dies. */
export async function waitUntilReady(
  proc: ManagedProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.hasExited()) {
      throw new StackError(
        `${proc.name} exited during start-up. Last log lines:\n${logTail(proc.logFile)}`,
      );
    }
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new StackError(
    `${proc.name} was not ready after ${timeoutMs / 1000}s. Last log lines:\n${logTail(proc.logFile)}`,
  );
}
