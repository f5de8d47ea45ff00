/**
 * The local mail server: Mailpit, a real SMTP server that keeps every message it receives in a
 * mailbox you open in a browser, with an HTTP API the tests read (`/api/v1/...`). In order:
 * `SMTP_URL` (handled by the caller), a `mailpit` on PATH, else Mailpit 1.33.1 built from the Go
 * module proxy into the cache.
 *
 * Mailpit embeds its web UI from `server/ui/dist`, which its release build makes with npm and
 * esbuild and which is not in the module zip: without it the mailbox page loads a script and a
 * stylesheet that answer 404. So, like stack/mongo.ts does for FerretDB, we copy the downloaded
 * module and build the UI the way Mailpit's own build does (`MINIFY=true node esbuild.config.mjs`,
 * packages from the npm registry at the versions its package-lock pins) before `go build`.
 *
 * Two departures from its lock, both forced by what the npm registry serves:
 * - `sass-embedded` 1.108.1 answers 404. It is only a peer that npm adds for esbuild-sass-plugin,
 *   which compiles with the pure-JS `sass` (1.108.1, served) unless told `embedded: true`; so the
 *   install omits peers (`--omit=peer`).
 * - `rapidoc` 12.1.0 (the API documentation page, `/api/v1/`) answers 404; the newest served is
 *   9.3.8, whose `<rapi-doc>` element has every attribute that page sets, so it is built with that.
 * The lint and end-to-end tools (eslint, playwright, jsdom, prettier...) are left out: the build
 * does not use them. Every other package is at the version Mailpit's package-lock pins.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { portAccepts } from './ports.js';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cachedInstall, cacheDir, onPath, progress, requireTool, run } from './install.js';
import {
  StackError,
  startProcess,
  waitUntilReady,
  type ManagedProcess,
} from './managed-process.js';

export const MAILPIT_VERSION = 'v1.33.1';
const MAILPIT_MODULE = 'github.com/axllent/mailpit';
/** Part of the cache key: a changed UI build rebuilds instead of reusing an older binary. */
const MAILPIT_BUILD_LEVEL = 'ui-1';
/** The API docs page's web component: the lock's 12.1.0 is not served by the registry. */
const RAPIDOC_VERSION = '9.3.8';
/** Mailpit's lint and end-to-end test tools: not needed to build the UI. */
const UNUSED_DEV_DEPENDENCIES = [
  '@eslint/compat',
  '@eslint/js',
  '@playwright/test',
  '@types/bootstrap',
  'eslint',
  'eslint-config-prettier',
  'eslint-plugin-vue',
  'globals',
  'jsdom',
  'prettier',
];
const UI_FILES = ['app.js', 'app.css', 'docs.js'];

export interface MailServer {
  /** Where to send mail, e.g. `smtp://127.0.0.1:1025` (no authentication, no TLS). */
  smtpUrl: string;
  /** The mailbox in a browser, and its HTTP API under `/api/v1/`. */
  webUrl: string;
  kind: 'path' | 'cache';
  process: ManagedProcess;
}

/** The pinned Mailpit binary, built into the cache on first use. */
export async function ensureMailpit(): Promise<string> {
  const dir = join(cacheDir(), `mailpit-${MAILPIT_VERSION}-${MAILPIT_BUILD_LEVEL}`);
  await cachedInstall(
    dir,
    `Mailpit ${MAILPIT_VERSION} (Go module proxy, web UI from the npm registry)`,
    async (tmp) => {
      requireTool(
        'go',
        'to build Mailpit, the embedded SMTP server and mailbox',
        'Install Go 1.24+ (it fetches the 1.26 toolchain Mailpit asks for), or set SMTP_URL.',
      );
      requireTool('npm', "to build Mailpit's web UI", 'Install Node.js with npm, or set SMTP_URL.');
      const env = { CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=readonly' };
      progress('downloading the Mailpit module...');
      const moduleDir = await downloadModule(tmp, env);
      const src = join(tmp, 'src');
      cpSync(moduleDir, src, { recursive: true });
      // Module-cache files are read-only; the copy must be writable to build into and clean up.
      await promisify(execFile)('chmod', ['-R', 'u+w', src]);
      chmodSync(src, 0o755);
      await buildWebUi(src);
      progress('compiling Mailpit (about a minute and a half on a cold Go build cache)...');
      mkdirSync(join(tmp, 'bin'));
      await run(
        'go',
        [
          'build',
          '-trimpath',
          '-ldflags',
          `-s -w -X ${MAILPIT_MODULE}/config.Version=${MAILPIT_VERSION}`,
          '-o',
          join(tmp, 'bin', 'mailpit'),
          '.',
        ],
        {
          cwd: src,
          env,
          failureHint: 'Could not build Mailpit: is the Go module proxy reachable?',
        },
      );
      rmSync(src, { recursive: true, force: true });
    },
  );
  return join(dir, 'bin', 'mailpit');
}

async function downloadModule(cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const hint = 'Is the Go module proxy reachable? (Or set SMTP_URL.)';
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(
      'go',
      ['mod', 'download', '-json', `${MAILPIT_MODULE}@${MAILPIT_VERSION}`],
      { cwd, env: { ...process.env, ...env }, encoding: 'utf8' },
    ));
  } catch (error) {
    // On failure `go mod download -json` still prints the JSON, with the reason in `Error`.
    stdout = (error as { stdout?: string }).stdout ?? '';
    if (!stdout.trim()) throw new StackError(`go mod download ${MAILPIT_MODULE} failed. ${hint}`);
  }
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (!info.Dir) {
    const reason = info.Error ?? 'no module directory';
    throw new StackError(
      `go mod download ${MAILPIT_MODULE}@${MAILPIT_VERSION}: ${reason}. ${hint}`,
    );
  }
  return info.Dir;
}

/** Builds `server/ui/dist` (which `go:embed` picks up) as Mailpit's `npm run package` does. */
async function buildWebUi(src: string): Promise<void> {
  const manifestFile = join(src, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  if (!manifest.dependencies.rapidoc) {
    throw new StackError(`Mailpit ${MAILPIT_VERSION}: package.json no longer depends on rapidoc`);
  }
  manifest.dependencies.rapidoc = RAPIDOC_VERSION;
  for (const name of UNUSED_DEV_DEPENDENCIES) delete manifest.devDependencies[name];
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  progress("installing the Mailpit web UI's build tools from the npm registry...");
  // `npm install` (not `ci`, the manifest changed) keeps every version the lock pins.
  await run(
    'npm',
    [
      'install',
      '--prefix',
      src,
      '--include=dev',
      '--omit=peer',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ],
    {
      cwd: src,
      failureHint: "Could not install Mailpit's UI packages: is the npm registry reachable?",
    },
  );
  progress('building the Mailpit web UI (esbuild)...');
  await run(process.execPath, ['esbuild.config.mjs'], {
    cwd: src,
    env: { MINIFY: 'true', WATCH: 'false' },
    failureHint: 'Building the Mailpit web UI failed.',
  });
  const dist = join(src, 'server', 'ui', 'dist');
  const missing = UI_FILES.filter((file) => !existsSync(join(dist, file)));
  if (missing.length > 0) {
    throw new StackError(`the Mailpit web UI build made no ${missing.join(', ')} in ${dist}`);
  }
  rmSync(join(src, 'node_modules'), { recursive: true, force: true });
}

export async function startMailServer(options: {
  dataDir: string;
  smtpPort: number;
  httpPort: number;
  echo: boolean;
}): Promise<MailServer> {
  const onPathBinary = onPath('mailpit');
  const binary = onPathBinary ?? (await ensureMailpit());
  const dbDir = join(options.dataDir, 'mailpit');
  mkdirSync(dbDir, { recursive: true });
  const webUrl = `http://127.0.0.1:${options.httpPort}`;
  const proc = startProcess({
    name: 'mailpit',
    command: binary,
    args: [
      `--smtp=127.0.0.1:${options.smtpPort}`,
      `--listen=127.0.0.1:${options.httpPort}`,
      `--database=${join(dbDir, 'mailpit.db')}`,
      // Any client may send, with or without credentials, over plain SMTP: a local mailbox.
      '--smtp-auth-accept-any',
      '--smtp-auth-allow-insecure',
      // The web UI would otherwise ask GitHub for the newest release.
      '--disable-version-check',
    ],
    logFile: join(options.dataDir, 'mailpit.log'),
    pidFile: join(options.dataDir, 'mailpit.pid'),
    echo: options.echo,
  });
  await waitUntilReady(
    proc,
    async () =>
      (await fetch(`${webUrl}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok &&
      (await portAccepts(options.smtpPort)),
    30_000,
  );
  return {
    smtpUrl: `smtp://127.0.0.1:${options.smtpPort}`,
    webUrl,
    kind: onPathBinary ? 'path' : 'cache',
    process: proc,
  };
}
