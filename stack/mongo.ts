/**
 * The Mongo-wire server for local runs. In order: `MONGODB_URI` (handled by the caller), a
 * `mongod` on PATH, else FerretDB 1.24 on its SQLite backend, built from the Go module proxy.
 *
 * FerretDB's `build/version` package only reads its generated `version.txt` when FerretDB is
 * the main module, so neither `go install` nor a tool module works; we copy the downloaded
 * module (read-only in the module cache), add the `version.txt` its build expects, apply one
 * patch (below) and build `cmd/ferretdb`.
 *
 * The patch: FerretDB's SQLite backend creates the unique `_id` index on the expression
 * `_ferretdb_sjson->"_id"` but looks documents up with `_ferretdb_sjson->'$._id'`. SQLite matches
 * index expressions literally, so every find, update and delete by `_id` read and parsed every
 * row of the collection: the cost of a booking grew with the number of bookings. The patch makes
 * the lookup expression the same as the index expression (same meaning: the `_id` key).
 */
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { portAccepts } from './ports.js';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cachedInstall, cacheDir, onPath, progress, requireTool, run } from './install.js';
import { startProcess, waitUntilReady, type ManagedProcess } from './managed-process.js';

export const FERRETDB_VERSION = 'v1.24.2';
/** Part of the cache key: a changed patch rebuilds instead of reusing an older binary. */
const FERRETDB_PATCH_LEVEL = 'id-index-1';
const ID_LOOKUP_FILE = ['internal', 'backends', 'sqlite', 'metadata', 'metadata.go'];
const ID_LOOKUP_AS_SHIPPED = `IDColumn = DefaultColumn + "->'$._id'"`;
const ID_LOOKUP_AS_INDEXED = 'IDColumn = DefaultColumn + `->"_id"`';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

export interface MongoServer {
  uri: string;
  kind: 'mongod' | 'ferretdb';
  process: ManagedProcess;
}

export async function ensureFerretDb(): Promise<string> {
  const dir = join(cacheDir(), `ferretdb-${FERRETDB_VERSION}-${FERRETDB_PATCH_LEVEL}`);
  await cachedInstall(dir, `FerretDB ${FERRETDB_VERSION} (Go module proxy)`, async (tmp) => {
    requireTool(
      'go',
      'to build FerretDB, the embedded Mongo-wire server',
      'Install Go 1.24+, or set MONGODB_URI.',
    );
    const env = { CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=readonly' };
    progress('downloading the FerretDB module (about 60 Go modules on a cold cache)...');
    const info = JSON.parse(
      execFileSync('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], {
        cwd: tmp,
        env: { ...process.env, ...env },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as { Dir?: string; Error?: string };
    if (!info.Dir)
      throw new Error(`go mod download failed: ${info.Error ?? 'no module directory'}`);
    const src = join(tmp, 'src');
    cpSync(info.Dir, src, { recursive: true });
    chmodRecursive(src);
    writeFileSync(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    patchIdLookupToUseIndex(src);
    progress('compiling FerretDB (about a minute on a cold Go build cache)...');
    mkdirSync(join(tmp, 'bin'));
    await run('go', ['build', '-trimpath', '-o', join(tmp, 'bin', 'ferretdb'), './cmd/ferretdb'], {
      cwd: src,
      env,
      failureHint: 'Could not build FerretDB: is the Go module proxy reachable?',
    });
    rmSync(src, { recursive: true, force: true });
  });
  return join(dir, 'bin', 'ferretdb');
}

function patchIdLookupToUseIndex(src: string): void {
  const file = join(src, ...ID_LOOKUP_FILE);
  const text = readFileSync(file, 'utf8');
  if (!text.includes(ID_LOOKUP_AS_SHIPPED)) {
    throw new Error(`FerretDB ${FERRETDB_VERSION}: ${file} no longer has the line to patch`);
  }
  writeFileSync(file, text.replace(ID_LOOKUP_AS_SHIPPED, ID_LOOKUP_AS_INDEXED));
}

/** Module-cache files are read-only; the copy must be writable to add version.txt and clean up. */
function chmodRecursive(dir: string): void {
  execFileSync('chmod', ['-R', 'u+w', dir]);
  chmodSync(dir, 0o755);
}

export async function startMongoServer(options: {
  dataDir: string;
  port: number;
  database: string;
  echo: boolean;
}): Promise<MongoServer> {
  const mongod = onPath('mongod');
  const dbDir = join(options.dataDir, mongod ? 'mongod' : 'ferretdb');
  mkdirSync(dbDir, { recursive: true });
  const common = {
    logFile: join(options.dataDir, 'mongo.log'),
    pidFile: join(options.dataDir, 'mongo.pid'),
    echo: options.echo,
  };
  const proc = mongod
    ? startProcess({
        ...common,
        name: 'mongod',
        command: mongod,
        args: [
          '--dbpath',
          dbDir,
          '--bind_ip',
          '127.0.0.1',
          '--port',
          String(options.port),
          '--quiet',
        ],
      })
    : startProcess({
        ...common,
        name: 'ferretdb',
        command: await ensureFerretDb(),
        args: [
          '--handler=sqlite',
          `--sqlite-url=file:${dbDir}/`,
          `--listen-addr=127.0.0.1:${options.port}`,
          // Off unless asked for (STAYSAGA_FERRETDB_DEBUG_ADDR=127.0.0.1:8088 serves pprof and
          // metrics for profiling): by default every instance would bind :8088 and clash.
          `--debug-addr=${process.env.STAYSAGA_FERRETDB_DEBUG_ADDR ?? '-'}`,
          `--state-dir=${dbDir}`,
          '--telemetry=disable',
          '--log-level=error',
        ],
      });
  await waitUntilReady(proc, () => portAccepts(options.port), 30_000);
  return {
    uri: `mongodb://127.0.0.1:${options.port}/${options.database}`,
    kind: mongod ? 'mongod' : 'ferretdb',
    process: proc,
  };
}
