/**
 * Installing pinned tools into the cache: each install runs once, prints what it is doing,
 * builds into a temporary directory and renames it into place, so an interrupted install never
 * leaves a half-filled cache behind. Failures name the missing tool or unreachable registry.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { StackError } from './managed-process.js';

export function cacheDir(): string {
  return process.env.STAYSAGA_CACHE_DIR ?? join(homedir(), '.cache', 'staysaga');
}

export function progress(message: string): void {
  process.stdout.write(`[stack] ${message}\n`);
}

/** Fails with one clear line when a required command is not on PATH. */
export function requireTool(command: string, why: string, hint: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new StackError(`'${command}' is not installed; it is needed ${why}. ${hint}`);
  }
}

export function onPath(command: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/** Runs a command quietly; on failure throws with its last output lines and a hint. */
export async function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; failureHint: string },
): Promise<void> {
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 200) output.shift();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    const tail = output.join('').trimEnd().split('\n').slice(-15).join('\n');
    throw new StackError(
      `${command} ${args.slice(0, 3).join(' ')} failed (exit ${code}). ${options.failureHint}\n${tail}`,
    );
  }
}

/**
 * Returns `target`, creating it with `build(tmpDir)` first when it is not cached yet.
 * `what` names the thing for the progress line.
 */
export async function cachedInstall(
  target: string,
  what: string,
  build: (tmpDir: string) => Promise<void>,
): Promise<string> {
  if (existsSync(target)) return target;
  const started = Date.now();
  progress(`installing ${what} into ${target} (first run only)...`);
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
    mkdirSync(dirname(target), { recursive: true });
    if (!existsSync(target)) renameSync(tmp, target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  progress(`installed ${what} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return target;
}

/** Installs pinned PyPI packages from a requirements file into `targetDir` (no venv: relocatable). */
export async function pipInstall(
  requirements: string,
  targetDir: string,
  why: string,
  extraArgs: string[] = [],
): Promise<void> {
  requireTool('python3', why, 'Install Python 3 with pip.');
  await run(
    'python3',
    [
      '-m',
      'pip',
      'install',
      '-q',
      '--disable-pip-version-check',
      ...extraArgs,
      '--target',
      targetDir,
      '-r',
      requirements,
    ],
    { failureHint: 'Could not install from PyPI: is it reachable?' },
  );
}
