/**
 * Builds the web app (`web/` → `web/dist`) with Vite, and tells whether a build is missing or
 * older than its sources. `npm run build:web` always builds; `npm start` builds only when needed.
 * A build goes to a fresh directory that then replaces `web/dist`, so two builds at once (or a
 * server reading it meanwhile) never see half a build.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const WEB_DIR = resolve(import.meta.dirname, '..', 'web');
export const WEB_DIST = join(WEB_DIR, 'dist');
/** Written last by a build: its time is the build's. */
const STAMP = '.built';
const INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why `web/dist` must be (re)built, or null when it is up to date. */
export function webBuildNeeded(): string | null {
  const stamp = join(WEB_DIST, STAMP);
  if (!existsSync(stamp)) return 'web/dist is missing';
  const builtAt = statSync(stamp).mtimeMs;
  const inputs = [
    ...INPUTS.map((name) => join(WEB_DIR, name)),
    resolve(WEB_DIR, '..', 'package-lock.json'),
  ];
  const changed = inputs.find((input) => newestMtime(input) > builtAt);
  return changed
    ? `${relative(resolve(WEB_DIR, '..'), changed)} changed since the last build`
    : null;
}

/** Runs `vite build` into a fresh directory, then swaps it in as web/dist. */
export async function buildWeb(options: { quiet?: boolean } = {}): Promise<void> {
  const outDir = join(WEB_DIR, `.dist-${process.pid}-${Date.now()}`);
  const vite = resolve(WEB_DIR, '..', 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    throw new Error(
      'Vite is not installed (a production install?): run `npm ci` to build the web app',
    );
  }
  try {
    await new Promise<void>((done, fail) => {
      const child = spawn(
        process.execPath,
        [
          vite,
          'build',
          '--config',
          join(WEB_DIR, 'vite.config.ts'),
          '--outDir',
          outDir,
          '--emptyOutDir',
        ],
        {
          cwd: WEB_DIR,
          stdio: options.quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
          // Under vitest NODE_ENV is `test`, which would make Vite bundle React's development build.
          env: { ...process.env, NODE_ENV: 'production' },
        },
      );
      child.once('error', fail);
      child.once('exit', (code) =>
        code === 0 ? done() : fail(new Error(`vite build failed (exit code ${code})`)),
      );
    });
    writeFileSync(join(outDir, STAMP), new Date().toISOString() + '\n');
    const old = `${WEB_DIST}.old-${process.pid}-${Date.now()}`;
    if (existsSync(WEB_DIST)) renameSync(WEB_DIST, old);
    renameSync(outDir, WEB_DIST);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Builds when needed, saying why; returns whether it built. */
export async function ensureWebBuild(write: (line: string) => void): Promise<boolean> {
  const reason = webBuildNeeded();
  if (!reason) return false;
  write(`Building the web app (${reason}): vite build ...`);
  const started = Date.now();
  await buildWeb({ quiet: true });
  write(`Built the web app in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
  return true;
}

const isEntryPoint = import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntryPoint) {
  buildWeb().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
