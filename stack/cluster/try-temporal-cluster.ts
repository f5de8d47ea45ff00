/**
 * Shows the Temporal-on-PostgreSQL cluster working end to end, on ports no other local run
 * uses: PostgreSQL 55432, frontend 17233 (services 17233-17273), UI 18233. Starts everything,
 * checks the namespace, search attributes and UI, SIGKILLs history1 and shows that workflows
 * still start, restarts history1, checks that SQL visibility found every workflow, stops
 * everything, and prints how long each step took. --kill-postgres also SIGKILLs PostgreSQL for
 * 10 s and checks the cluster recovers; --keep leaves the data directory and logs behind.
 *
 *   npx tsx stack/cluster/try-temporal-cluster.ts [--kill-postgres] [--keep]
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { searchAttributes } from '../../workflows/booking-definitions.js';
import { cacheDir, progress } from '../install.js';
import { startPostgres, type PostgresServer } from './postgres.js';
import { treeMemoryKiB, treePids } from './process-tree.js';
import { SERVICE_NAMES, startTemporalCluster, type TemporalCluster } from './temporal-cluster.js';
import {
  ensureTemporalServer,
  ensureTemporalUiServer,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
} from './temporal-server.js';

const POSTGRES_PORT = 55432;
const FRONTEND_PORT = 17233;
const UI_PORT = 18233;
const NAMESPACE = 'staysaga-try';
/** Enough workflow ids that some surely hash to shards history1 owned. */
const WORKFLOWS_PER_CHECK = 12;

let started = 0;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

async function timed<T>(what: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await step();
  progress(`${what}: ${seconds(Date.now() - started)}`);
  return result;
}

async function build(): Promise<void> {
  const cached = existsSync(join(cacheDir(), `temporal-server-${TEMPORAL_SERVER_VERSION}`));
  await timed(
    `build Temporal ${TEMPORAL_SERVER_VERSION} + UI ${TEMPORAL_UI_VERSION} (${cached ? 'cached' : 'cold'})`,
    async () => {
      await ensureTemporalServer();
      await ensureTemporalUiServer();
    },
  );
}

/** Starts (and terminates) workflows with booking search attributes; no worker is needed. */
async function startWorkflows(client: Client, label: string): Promise<void> {
  for (let i = 0; i < WORKFLOWS_PER_CHECK; i++) {
    const handle = await client.workflow.start('tryCluster', {
      taskQueue: 'try-cluster',
      workflowId: `try-${label}-${i}-${Date.now()}`,
      typedSearchAttributes: [{ key: searchAttributes.bookingStatus, value: 'requested' }],
    });
    await handle.terminate('only checking that the cluster accepts workflows');
    started++;
  }
}

async function checkCluster(cluster: TemporalCluster, client: Client): Promise<void> {
  const service = client.connection.workflowService;
  const described = await service.describeNamespace({ namespace: NAMESPACE });
  const listed = await client.connection.operatorService.listSearchAttributes({
    namespace: NAMESPACE,
  });
  const custom = Object.keys(listed.customAttributes ?? {})
    .sort()
    .join(', ');
  progress(`namespace ${described.namespaceInfo?.name}: custom search attributes ${custom}`);
  const page = await fetch(`${cluster.uiUrl}/`);
  const api = await fetch(`${cluster.uiUrl}/api/v1/namespaces`);
  const names = (
    (await api.json()) as { namespaces?: { namespaceInfo?: { name?: string } }[] }
  ).namespaces
    ?.map((n) => n.namespaceInfo?.name)
    .join(', ');
  progress(`UI: GET / ${page.status}, GET /api/v1/namespaces ${api.status} (${names})`);
  await startWorkflows(client, 'healthy');
}

const mib = (kib: number) => Math.round(kib / 1024);

/** VmRSS as asked for; for PostgreSQL also private memory, as VmRSS counts shared buffers per backend. */
function reportMemory(pg: PostgresServer, cluster: TemporalCluster): void {
  const perService = SERVICE_NAMES.map(
    (name) => `${name} ${mib(treeMemoryKiB(cluster.service(name).pid))}`,
  );
  progress(`VmRSS MiB per service: ${perService.join(', ')}`);
  const pgPid = pg.process.pid;
  const pgRss = treeMemoryKiB(pgPid);
  const temporalRss = cluster.rssKiB();
  progress(
    `PostgreSQL: ${treePids(pgPid).length} processes, VmRSS ${mib(pgRss)} MiB, private (RssAnon) ${mib(treeMemoryKiB(pgPid, 'RssAnon'))} MiB`,
  );
  progress(
    `VmRSS total: Temporal + UI ${mib(temporalRss)} MiB, with PostgreSQL ${mib(pgRss + temporalRss)} MiB`,
  );
}

/** Kills history1 and measures how long until workflow starts succeed again. */
async function survivesHistoryCrash(cluster: TemporalCluster, client: Client): Promise<void> {
  await cluster.kill('history1');
  const killedAt = Date.now();
  progress('SIGKILLed history1; starting workflows through the survivors...');
  await client.connection.workflowService.describeNamespace({ namespace: NAMESPACE });
  await startWorkflows(client, 'after-kill');
  progress(
    `with history1 down, ${WORKFLOWS_PER_CHECK} workflows started in ${seconds(Date.now() - killedAt)}`,
  );
  await timed('restart history1 until it serves', () => cluster.restart('history1'));
  await startWorkflows(client, 'after-restart');
}

/** The fault tests' PostgreSQL outage: SIGKILL, 10 s down, restart, then workflows again. */
async function survivesPostgresOutage(pg: PostgresServer, client: Client): Promise<void> {
  await pg.kill();
  progress('SIGKILLed PostgreSQL; restarting it in 10 s...');
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  await timed('restart PostgreSQL (crash recovery)', () => pg.restart());
  await timed('start workflows after the outage', () => startWorkflows(client, 'after-pg'));
}

/** Advanced visibility on PostgreSQL: every workflow started above, found by search attribute. */
async function visibilityFindsAll(client: Client): Promise<void> {
  const query = `${searchAttributes.bookingStatus.name} = 'requested'`;
  const deadline = Date.now() + 30_000;
  let count = 0;
  while (count < started && Date.now() < deadline) {
    count = (await client.workflow.count(query)).count;
    if (count < started) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  progress(`visibility: ${count} of ${started} workflows match "${query}"`);
  if (count < started) throw new Error('visibility did not find every workflow within 30 s');
}

async function main(): Promise<void> {
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'staysaga-try-cluster-'));
  await build();
  const pg = await timed('start PostgreSQL (initdb included)', () =>
    startPostgres({
      dataDir: join(dataDir, 'postgres'),
      port: POSTGRES_PORT,
      user: 'temporal',
      // Made up per run: a throwaway server, but no password lives in the repo.
      password: randomBytes(18).toString('base64url'),
    }),
  );
  progress(`PostgreSQL ${pg.majorVersion} at 127.0.0.1:${pg.port}`);
  let cluster: TemporalCluster | undefined;
  try {
    cluster = await timed('start Temporal cluster until ready', () =>
      startTemporalCluster({
        postgres: pg,
        dataDir: join(dataDir, 'temporal'),
        portBase: FRONTEND_PORT,
        uiPort: UI_PORT,
        namespace: NAMESPACE,
      }),
    );
    const t = cluster.timings;
    progress(
      `  schema ${seconds(t.schemaMs)}, services ${seconds(t.servicesMs)}, namespace ${seconds(t.namespaceMs)}, UI ${seconds(t.uiMs)}`,
    );
    const connection = await Connection.connect({ address: cluster.address });
    const client = new Client({ connection, namespace: NAMESPACE });
    await checkCluster(cluster, client);
    reportMemory(pg, cluster);
    await survivesHistoryCrash(cluster, client);
    if (process.argv.includes('--kill-postgres')) await survivesPostgresOutage(pg, client);
    await visibilityFindsAll(client);
    await connection.close();
  } finally {
    await timed('stop everything', async () => {
      await cluster?.stop();
      await pg.stop();
    });
    if (!process.argv.includes('--keep')) rmSync(dataDir, { recursive: true, force: true });
    else progress(`data and logs kept in ${dataDir}`);
  }
  progress(`total: ${seconds(Date.now() - started)}`);
}

await main();
