/**
 * PostgreSQL for the local production-like cluster: Debian's `postgresql-<major>` package of the
 * major versions.ts pins (installed with apt-get when missing), one server per data directory, on 127.0.0.1 only, with password
 * (SCRAM) authentication for the one user the caller names.
 *
 * PostgreSQL refuses to run as root, so when we are root the server runs as an unprivileged
 * system user (created on first use) through `setpriv`, which execs rather than forks: the pid we
 * hold is the postmaster's own, so a SIGKILL reaches it directly, as a crash would.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { progress, requireTool, run } from '../install.js';
import {
  StackError,
  startProcess,
  waitUntilReady,
  type ManagedProcess,
} from '../managed-process.js';
import { killNow } from './process-tree.js';
import { POSTGRES_MAJOR, POSTGRES_VERSION } from './versions.js';

const SERVER_USER = 'staysaga';
const INSTALL_HINT = `Install it with: apt-get install postgresql-${POSTGRES_MAJOR}`;

export interface PostgresOptions {
  /** Holds the cluster (`pgdata/`), its log and pid file. Created if missing. */
  dataDir: string;
  port?: number;
  user: string;
  password: string;
  echo?: boolean;
}

export interface PostgresServer {
  /** `postgres://user:password@127.0.0.1:port/postgres`, the maintenance database. */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** The major version that runs: POSTGRES_MAJOR (`schema/postgresql/v12` needs 12+). */
  majorVersion: number;
  /** The release that runs, e.g. 15.18 (Debian's security updates move it). */
  version: string;
  /** The current server process; a new one after each restart(). */
  readonly process: ManagedProcess;
  /** SIGKILL, as a crash or an OOM kill would: no shutdown checkpoint, recovery on restart. */
  kill(): Promise<void>;
  /** Starts the server again on the same data directory (killing it first if it still runs). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

interface PostgresInstall {
  binDir: string;
  majorVersion: number;
  /** The release `postgres --version` reports, e.g. 15.18. */
  version: string;
}

const PACKAGE = `postgresql-${POSTGRES_MAJOR}`;

/** The one major release versions.ts names, never another one that happens to be installed. */
function findInstalledPostgres(): PostgresInstall | null {
  const binDir = join('/usr/lib/postgresql', String(POSTGRES_MAJOR), 'bin');
  if (!existsSync(join(binDir, 'postgres'))) return null;
  const reported = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' });
  const version = /\(PostgreSQL\) (\d+(?:\.\d+)?)/.exec(reported)?.[1] ?? '';
  if (Number(version.split('.')[0]) !== POSTGRES_MAJOR) {
    throw new StackError(
      `${binDir}/postgres reports '${reported.trim()}', not ${POSTGRES_MAJOR}.x`,
    );
  }
  return { binDir, majorVersion: POSTGRES_MAJOR, version };
}

let minorNoted = false;
/** Debian's security updates move the minor release; the deployment files pin one. */
function noteMinorRelease(install: PostgresInstall): void {
  if (minorNoted || install.version === POSTGRES_VERSION) return;
  minorNoted = true;
  progress(
    `PostgreSQL ${install.version} is installed; the deployment files pin ${POSTGRES_VERSION} (stack/cluster/versions.ts). \`apt-get install --only-upgrade ${PACKAGE}\` brings Debian's newest ${POSTGRES_MAJOR}.x.`,
  );
}

/** Debian's package of the pinned major; apt-get only when it is missing. */
export async function ensurePostgres(): Promise<PostgresInstall> {
  const installed = findInstalledPostgres();
  if (installed) {
    noteMinorRelease(installed);
    return installed;
  }
  requireTool('apt-get', 'to install PostgreSQL', INSTALL_HINT);
  if (process.getuid?.() !== 0)
    throw new StackError(`PostgreSQL ${POSTGRES_MAJOR} is not installed. ${INSTALL_HINT}`);
  progress(`installing ${PACKAGE} with apt-get (first run only, about a minute)...`);
  preventDefaultCluster();
  const aptEnv = { DEBIAN_FRONTEND: 'noninteractive' };
  const hint = `Could not install ${PACKAGE}: is the Debian mirror reachable, and does this release still ship PostgreSQL ${POSTGRES_MAJOR}?`;
  await run('apt-get', ['update', '-q'], { env: aptEnv, failureHint: hint });
  await run('apt-get', ['install', '-y', '-q', '-o', 'Dpkg::Options::=--force-confold', PACKAGE], {
    env: aptEnv,
    failureHint: hint,
  });
  const fresh = findInstalledPostgres();
  if (!fresh) throw new StackError(`apt-get installed ${PACKAGE} but no server binary appeared.`);
  noteMinorRelease(fresh);
  return fresh;
}

/**
 * Debian's package creates and starts a `main` cluster on 5432, a port other local runs use.
 * postgresql-common reads this file before creating it; `--force-confold` keeps ours.
 */
function preventDefaultCluster(): void {
  const file = '/etc/postgresql-common/createcluster.conf';
  if (existsSync(file)) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, 'create_main_cluster = false\n');
}

interface RunAs {
  uid: number;
  gid: number;
  /** Prefix for a command line that runs as the server user (empty when we are not root). */
  prefix: string[];
}

/** Root: the unprivileged system user, created once. Anyone else: themselves. */
function serverIdentity(): RunAs {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? 0, prefix: [] };
  requireTool('setpriv', 'to run PostgreSQL as an unprivileged user', 'Install util-linux.');
  if (spawnSync('id', ['-u', SERVER_USER]).status !== 0) {
    requireTool('useradd', `to create the '${SERVER_USER}' user`, 'Install passwd.');
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      SERVER_USER,
    ]);
  }
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, SERVER_USER], { encoding: 'utf8' }));
  const [userId, groupId] = [id('-u'), id('-g')];
  return {
    uid: userId,
    gid: groupId,
    prefix: ['setpriv', `--reuid=${userId}`, `--regid=${groupId}`, '--clear-groups', '--'],
  };
}

/**
 * The server user must be able to walk down to its data directory. Temporary run directories
 * (mkdtemp makes them 0700) get search permission for others, never read permission; anything
 * else, such as a home directory, is the caller's to choose differently.
 */
function letServerUserReach(dir: string, who: RunAs): void {
  const temp = resolve(tmpdir());
  for (let d = dirname(resolve(dir)); d !== dirname(d); d = dirname(d)) {
    const st = statSync(d);
    const bit = st.uid === who.uid ? 0o100 : st.gid === who.gid ? 0o010 : 0o001;
    if (st.mode & bit) continue;
    const underTemp = !relative(temp, d).startsWith('..') && d !== temp;
    if (!underTemp) {
      throw new StackError(
        `PostgreSQL runs as '${SERVER_USER}', which cannot enter ${d}. Put its data directory under ${temp} or another directory others may enter.`,
      );
    }
    execFileSync('chmod', ['o+x', d]);
  }
}

/** A fresh cluster owned by the server user, with the caller's user as its superuser. */
async function initCluster(
  install: PostgresInstall,
  pgdata: string,
  options: PostgresOptions,
  who: RunAs,
): Promise<void> {
  mkdirSync(pgdata, { recursive: true, mode: 0o700 });
  chownSync(pgdata, who.uid, who.gid);
  // initdb reads the password from a file; this one lives only until initdb has read it.
  const passwordFile = join(pgdata, '..', `.pgpass-init-${process.pid}`);
  writeFileSync(passwordFile, `${options.password}\n`, { mode: 0o600 });
  chownSync(passwordFile, who.uid, who.gid);
  try {
    const [command, ...prefixArgs] = [...who.prefix, join(install.binDir, 'initdb')];
    await run(
      command,
      [
        ...prefixArgs,
        '--pgdata',
        pgdata,
        '--username',
        options.user,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      { failureHint: `Could not create a PostgreSQL cluster in ${pgdata}.` },
    );
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/** Command-line settings, so the cluster's own postgresql.conf stays as initdb wrote it. */
function serverSettings(port: number): string[] {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    // No Unix socket: nothing here uses one, and Debian's /var/run/postgresql is not ours.
    unix_socket_directories: '',
    // Five Temporal services with two connection pools each, plus the schema tool and tests.
    max_connections: '300',
    logging_collector: 'off',
  };
  return Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
}

export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
  const install = await ensurePostgres();
  const port = options.port ?? 5432;
  const who = serverIdentity();
  const dataDir = resolve(options.dataDir);
  const pgdata = join(dataDir, 'pgdata');
  mkdirSync(dataDir, { recursive: true });
  if (who.prefix.length > 0) letServerUserReach(pgdata, who);
  if (!existsSync(join(pgdata, 'PG_VERSION'))) await initCluster(install, pgdata, options, who);

  const [command, ...prefixArgs] = [...who.prefix, join(install.binDir, 'postgres')];
  const launch = async (): Promise<ManagedProcess> => {
    const proc = startProcess({
      name: 'postgres',
      command,
      args: [...prefixArgs, '-D', pgdata, ...serverSettings(port)],
      logFile: join(dataDir, 'postgres.log'),
      pidFile: join(dataDir, 'postgres.pid'),
      echo: options.echo ?? false,
    });
    // pg_isready, not an open port: after a crash the server listens while it still replays WAL.
    const isReady = join(install.binDir, 'pg_isready');
    await waitUntilReady(proc, () => accepts(isReady, port), 120_000);
    return proc;
  };

  let current = await launch();
  // The postmaster and every backend at once, as a host crash would; stray backends would also
  // hold the shared memory that a restarted postmaster refuses to share.
  const kill = () => killNow(current);
  const stop = async () => {
    // SIGINT is PostgreSQL's fast shutdown; the SIGTERM that stop() sends would wait for clients.
    if (!current.hasExited()) process.kill(current.pid, 'SIGINT');
    await current.stop(30_000);
  };
  const encode = encodeURIComponent;
  return {
    url: `postgres://${encode(options.user)}:${encode(options.password)}@127.0.0.1:${port}/postgres`,
    host: '127.0.0.1',
    port,
    user: options.user,
    password: options.password,
    majorVersion: install.majorVersion,
    version: install.version,
    get process() {
      return current;
    },
    kill,
    async restart() {
      if (!current.hasExited()) await kill();
      current = await launch();
    },
    stop,
  };
}

/** pg_isready exits 0 only once the server accepts sessions. */
function accepts(pgIsReady: string, port: number): Promise<boolean> {
  const args = ['--host=127.0.0.1', `--port=${port}`, '--timeout=2', '--quiet'];
  return new Promise((resolve) => {
    const child = spawn(pgIsReady, args, { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
