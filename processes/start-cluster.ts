/**
 * `npm run start:cluster`: the whole system on the production topology, on loopback
 * (stack/cluster/index.ts): PostgreSQL, a five-service Temporal cluster with its UI, FerretDB on
 * PostgreSQL, three Kafka brokers and a controller, Mailpit, the agent's model server, two of
 * each StaySaga process and two web servers, behind HAProxy. Prints the addresses, how long the
 * start took and the memory it all uses; Ctrl-C stops everything.
 *
 * Ports: the usual ones; STAYSAGA_CLUSTER_PORT_OFFSET=20000 moves them all (API 23000, ...), and
 * STAYSAGA_CLUSTER_*_PORT sets one. STAYSAGA_CLUSTER_DATA_DIR: where the data and logs live.
 * STAYSAGA_AGENT=off: no model server and no agents. STAYSAGA_ECHO_SERVERS=true: every node's
 * output here, prefixed by its name (default: in its log file only).
 */
import { createLogger } from '../config/logger.js';
import { startCluster, type Cluster } from '../stack/cluster/index.js';
import { StackError } from '../stack/managed-process.js';
import { exitOnSignalsWhileStarting, stopOnSignals } from './signals.js';

const log = createLogger('cluster');

const mib = (kib: number) => `${Math.round(kib / 1024)} MiB`;

/** Memory by role: nodes whose names differ only by a number (api1, api2) are added up. */
function memoryLines(cluster: Cluster): string[] {
  const usage = cluster.memory();
  const sum = (field: 'rssKiB' | 'privateKiB') => usage.reduce((t, n) => t + n[field], 0);
  const groups = new Map<string, number>();
  for (const { name, rssKiB } of usage) {
    const group = name.replace(/\d+$/, '');
    groups.set(group, (groups.get(group) ?? 0) + rssKiB);
  }
  const parts = [...groups].map(([name, kib]) => `${name} ${Math.round(kib / 1024)}`);
  return [
    `  Memory       ${mib(sum('rssKiB'))} VmRSS (${mib(sum('privateKiB'))} private) in all`,
    `               VmRSS MiB by role: ${parts.join(', ')}`,
  ];
}

function summary(cluster: Cluster, startedMs: number): string {
  const a = cluster.addresses;
  return [
    '',
    `StaySaga cluster is running (started in ${(startedMs / 1000).toFixed(1)}s).`,
    `  Web app      ${a.web ?? `(not served: ${cluster.webProblem})`}`,
    `  API          ${a.api}   (HAProxy; status page ${a.proxyStats})`,
    `  Temporal     ${a.temporal} (namespace ${a.namespace})   UI ${a.temporalUi}`,
    `  Kafka        ${a.kafka}`,
    `  Mongo wire   ${a.mongo}   (FerretDB on PostgreSQL ${a.postgres})`,
    `  Mailbox      ${a.mailbox}   (SMTP ${a.smtp})`,
    `  Agent        ${a.agent ? `${a.agent} → model ${a.llm}` : '(off: STAYSAGA_AGENT=off)'}`,
    `  Nodes        ${Object.keys(cluster.nodes).sort().join(' ')}`,
    ...memoryLines(cluster),
    `  Logs         ${cluster.dataDir}`,
    '  Ctrl-C stops everything.',
    '',
  ].join('\n');
}

async function main() {
  const startedAt = Date.now();
  const doneStarting = exitOnSignalsWhileStarting();
  const cluster = await startCluster({ echo: process.env.STAYSAGA_ECHO_SERVERS === 'true' });
  doneStarting();
  stopOnSignals(() => cluster.stop(), log);
  process.stdout.write(summary(cluster, Date.now() - startedAt) + '\n');
  const phases = Object.entries(cluster.timings).map(
    ([k, ms]) => `${k} ${(ms / 1000).toFixed(1)}s`,
  );
  log.info(`start-up phases: ${phases.join(', ')}`);
}

main().catch((error: unknown) => {
  log.error(error instanceof StackError ? error.message : 'failed to start', {
    error: error instanceof StackError ? undefined : error,
  });
  process.exit(1);
});
