/**
 * The Mongo-wire server of the cluster: FerretDB (the binary stack/mongo.ts builds) on its
 * PostgreSQL backend, in a database of its own on the cluster's PostgreSQL. Each Mongo database
 * becomes a PostgreSQL schema there, each collection a table of JSONB documents.
 *
 * What this proves and what it does not: the StaySaga processes speak the Mongo wire protocol to
 * a server whose data survives in a replicated-style SQL store with WAL and crash recovery, and
 * a FerretDB crash loses nothing acknowledged. It is still one FerretDB and one PostgreSQL: no
 * replica-set elections, no `w: majority` across members, no failover of the primary, no
 * change streams. A MongoDB replica set's behaviour under failure is not shown by this.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { run } from '../install.js';
import { startProcess, waitUntilReady, type ManagedProcess } from '../managed-process.js';
import { ensureFerretDb } from '../mongo.js';
import { portAccepts } from '../ports.js';
import { ensurePostgres } from './postgres.js';
import { killNow } from './process-tree.js';
import type { PostgresEndpoint } from './temporal-cluster.js';

const execFileAsync = promisify(execFile);

export interface FerretDbOnPostgresOptions {
  dataDir: string;
  port: number;
  postgres: PostgresEndpoint;
  /** The PostgreSQL database FerretDB keeps everything in (default `ferretdb`). */
  postgresDatabase?: string;
  /** The Mongo database StaySaga uses, the path of the URI (e.g. `staysaga`). */
  mongoDatabase: string;
  echo?: boolean;
}

export interface FerretDbOnPostgres {
  /** `mongodb://127.0.0.1:<port>/<mongoDatabase>`: MONGODB_URI. */
  uri: string;
  readonly process: ManagedProcess;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts FerretDB again on the same port, killing it first if it still runs. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The password goes in the environment, never on a command line `ps` shows. */
function pgEnv(pg: PostgresEndpoint): NodeJS.ProcessEnv {
  return { PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.user, PGPASSWORD: pg.password };
}

/** CREATE DATABASE has no IF NOT EXISTS: ask first, then create. */
async function ensureDatabase(pg: PostgresEndpoint, database: string): Promise<void> {
  const { binDir } = await ensurePostgres();
  const env = { ...process.env, ...pgEnv(pg) };
  const query = `SELECT 1 FROM pg_database WHERE datname = '${database.replace(/'/g, "''")}'`;
  const { stdout } = await execFileAsync(
    join(binDir, 'psql'),
    ['--dbname=postgres', '--tuples-only', '--no-align', '--command', query],
    { env },
  );
  if (stdout.trim() === '1') return;
  await run(join(binDir, 'createdb'), [database], {
    env: pgEnv(pg),
    failureHint: `Could not create the PostgreSQL database '${database}' for FerretDB.`,
  });
}

function postgresUrl(pg: PostgresEndpoint, database: string): string {
  const encode = encodeURIComponent;
  return `postgres://${encode(pg.user)}:${encode(pg.password)}@${pg.host}:${pg.port}/${database}`;
}

/** A BSON document of one int32 field and one string field: all a probe command needs. */
function bsonCommand(command: string, database: string): Buffer {
  const cstring = (text: string) => Buffer.from(`${text}\0`);
  const int32 = (n: number) => Buffer.from(new Int32Array([n]).buffer);
  const body = Buffer.concat([
    Buffer.from([0x10]),
    cstring(command),
    int32(1),
    Buffer.from([0x02]),
    cstring('$db'),
    int32(database.length + 1),
    cstring(database),
    Buffer.from([0x00]),
  ]);
  return Buffer.concat([int32(body.length + 4), body]);
}

/**
 * Ready once `listDatabases` answers ok over the Mongo wire (OP_MSG): unlike an open port, that
 * shows FerretDB reached PostgreSQL and logged in with the URL's credentials (clients send
 * none). Raw bytes, because only db/ may use mongoose and this is no data access.
 */
function listsDatabases(port: number): Promise<boolean> {
  const doc = bsonCommand('listDatabases', 'admin');
  const header = Buffer.alloc(16 + 4 + 1);
  header.writeInt32LE(header.length + doc.length, 0);
  header.writeInt32LE(1, 4); // requestID
  header.writeInt32LE(2013, 12); // OP_MSG; flagBits 0, then a kind-0 section
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () =>
      socket.write(Buffer.concat([header, doc])),
    );
    let reply = Buffer.alloc(0);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(5_000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      if (reply.length < 4 || reply.length < reply.readInt32LE(0)) return;
      // The reply's `ok` field: type 0x01 (double), name "ok".
      const at = reply.indexOf(Buffer.from([0x01, 0x6f, 0x6b, 0x00]));
      done(at >= 0 && reply.readDoubleLE(at + 4) === 1);
    });
  });
}

export async function startFerretDbOnPostgres(
  options: FerretDbOnPostgresOptions,
): Promise<FerretDbOnPostgres> {
  const binary = await ensureFerretDb();
  const database = options.postgresDatabase ?? 'ferretdb';
  await ensureDatabase(options.postgres, database);
  const stateDir = join(options.dataDir, 'ferretdb');
  mkdirSync(stateDir, { recursive: true });
  const uri = `mongodb://127.0.0.1:${options.port}/${options.mongoDatabase}`;
  const launch = async (): Promise<ManagedProcess> => {
    const proc = startProcess({
      name: 'ferretdb',
      command: binary,
      args: [
        '--handler=postgresql',
        `--listen-addr=127.0.0.1:${options.port}`,
        '--debug-addr=-', // its default :8088 would clash with other local runs
        `--state-dir=${stateDir}`,
        '--telemetry=disable',
        '--log-level=error',
      ],
      env: { FERRETDB_POSTGRESQL_URL: postgresUrl(options.postgres, database) },
      logFile: join(options.dataDir, 'ferretdb.log'),
      pidFile: join(options.dataDir, 'ferretdb.pid'),
      echo: options.echo ?? false,
    });
    await waitUntilReady(proc, () => portAccepts(options.port), 30_000);
    await waitUntilReady(proc, () => listsDatabases(options.port), 30_000);
    return proc;
  };
  let current = await launch();
  return {
    uri,
    get process() {
      return current;
    },
    kill: () => killNow(current),
    async restart() {
      await killNow(current);
      current = await launch();
    },
    stop: () => current.stop(),
  };
}
