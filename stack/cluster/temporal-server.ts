/**
 * The Temporal server, its SQL schema tool and the Web UI server, built from the Go module proxy
 * and cached by version. The production topology runs these as separate processes on PostgreSQL,
 * which the CLI dev server (stack/temporal.ts) cannot do.
 *
 * Both modules have no `replace` directives, so `go install module/pkg@version` builds them as
 * released, with their own go.sum: no temporary module is needed. The PostgreSQL schema files
 * are copied out of the module cache next to the binaries, so `go clean -modcache` cannot take
 * them away from a cached install.
 */
import { cpSync, mkdirSync, renameSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cachedInstall, cacheDir, progress, requireTool, run } from '../install.js';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from './versions.js';

// The versions live in versions.ts, with the images the deployment files pin for them.
export { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION };
const SERVER_MODULE = 'go.temporal.io/server';
const UI_MODULE = 'github.com/temporalio/ui-server/v2';
/** Static binaries without symbol tables: about a third smaller, nothing here needs to debug them. */
const BUILD_ENV = { CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' };
const LDFLAGS = '-ldflags=-s -w';

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  /** `schema/postgresql/v12` of the server module: `temporal/` and `visibility/` below it. */
  postgresSchemaDir: string;
}

function requireGo(what: string): void {
  requireTool(
    'go',
    `to build ${what}`,
    'Install Go 1.26.8+ (the version the server module asks for).',
  );
}

/** Where the Go module cache keeps a module, downloading it if needed. */
function moduleDir(module: string, version: string, cwd: string): string {
  const info = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', `${module}@${version}`], {
      cwd,
      env: { ...process.env, ...BUILD_ENV },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as { Dir?: string; Error?: string };
  if (!info.Dir)
    throw new Error(`go mod download ${module} failed: ${info.Error ?? 'no directory'}`);
  return info.Dir;
}

export async function ensureTemporalServer(): Promise<TemporalServerBinaries> {
  const version = `v${TEMPORAL_SERVER_VERSION}`;
  const dir = join(cacheDir(), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  await cachedInstall(dir, `Temporal server ${version} (Go module proxy)`, async (tmp) => {
    requireGo('the Temporal server');
    progress(
      'compiling the Temporal server and SQL tool (about 6 minutes and 2.6 GB on a cold Go cache)...',
    );
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    await run(
      'go',
      [
        'install',
        LDFLAGS,
        `${SERVER_MODULE}/cmd/server@${version}`,
        `${SERVER_MODULE}/cmd/tools/sql@${version}`,
      ],
      {
        cwd: tmp,
        env: { ...BUILD_ENV, GOBIN: bin },
        failureHint: 'Could not build the Temporal server: is the Go module proxy reachable?',
      },
    );
    // `go install` names binaries after their package directories: `server` and `sql`.
    renameSync(join(bin, 'server'), join(bin, 'temporal-server'));
    renameSync(join(bin, 'sql'), join(bin, 'temporal-sql-tool'));
    const schema = join(moduleDir(SERVER_MODULE, version, tmp), 'schema', 'postgresql', 'v12');
    cpSync(schema, join(tmp, 'schema', 'postgresql', 'v12'), { recursive: true });
  });
  return {
    server: join(dir, 'bin', 'temporal-server'),
    sqlTool: join(dir, 'bin', 'temporal-sql-tool'),
    postgresSchemaDir: join(dir, 'schema', 'postgresql', 'v12'),
  };
}

/** The UI server embeds its built web assets, so the binary is all it needs. */
export async function ensureTemporalUiServer(): Promise<string> {
  const version = `v${TEMPORAL_UI_VERSION}`;
  const dir = join(cacheDir(), `temporal-ui-server-${TEMPORAL_UI_VERSION}`);
  await cachedInstall(dir, `Temporal UI server ${version} (Go module proxy)`, async (tmp) => {
    requireGo('the Temporal UI server');
    progress('compiling the Temporal UI server (about 30 seconds)...');
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    await run('go', ['install', LDFLAGS, `${UI_MODULE}/cmd/server@${version}`], {
      cwd: tmp,
      env: { ...BUILD_ENV, GOBIN: bin },
      failureHint: 'Could not build the Temporal UI server: is the Go module proxy reachable?',
    });
    renameSync(join(bin, 'server'), join(bin, 'temporal-ui-server'));
  });
  return join(dir, 'bin', 'temporal-ui-server');
}
