/**
 * The cluster as a bench target (issue 15): `startCluster()` on ports of its own (a port offset)
 * in a fresh data directory, without the agent, and what the bench needs from it: the proxy's
 * API address, the frontend, the Mongo wire for the observer, and its processes grouped by role
 * for the CPU and memory tables. Also the start-up report `npm run start:cluster` prints (phase
 * times, memory by role), used by bench/cluster-start.ts too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster, type NodeMemory } from '../stack/cluster/index.js';
import { renderTable } from './harness.js';
import type { ProcessGroup } from './process-cost.js';

export interface ClusterTarget {
  cluster: Cluster;
  /** Wall time of startCluster(), ms. */
  startMs: number;
  remove(): Promise<void>;
}

/** Ports 2500 above the usual ones by default: below the ephemeral range, apart from the tests'. */
export const DEFAULT_BENCH_PORT_OFFSET = 2500;

export async function startClusterTarget(options: {
  portOffset: number;
  web?: boolean;
  /** Settings every StaySaga replica gets (they inherit this process's environment). */
  replicaEnv?: Record<string, string>;
  say: (line: string) => void;
}): Promise<ClusterTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'staysaga-bench-cluster-'));
  Object.assign(process.env, options.replicaEnv ?? {});
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STAYSAGA_AGENT: 'off',
    STAYSAGA_WEB: options.web ? 'on' : 'off',
    STAYSAGA_CLUSTER_PORT_OFFSET: String(options.portOffset),
  };
  options.say(`starting the cluster (port offset ${options.portOffset}, data ${dataDir})...`);
  const began = Date.now();
  let cluster: Cluster;
  try {
    cluster = await startCluster({ dataDir, env, agent: false, web: options.web ?? false });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const startMs = Date.now() - began;
  options.say(`cluster up in ${(startMs / 1000).toFixed(1)} s: api ${cluster.addresses.api}`);
  return {
    cluster,
    startMs,
    async remove() {
      await cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The role of a node, as start-cluster.ts groups memory: api1 and api2 are `api`. */
export function roleOf(name: string): string {
  if (['frontend', 'history1', 'history2', 'matching', 'temporal-worker'].includes(name)) {
    return 'temporal (frontend, 2 history, matching, worker)';
  }
  if (name === 'controller' || /^broker\d$/.test(name)) return 'kafka (controller + 3 brokers)';
  return name.replace(/\d+$/, '');
}

/** The cluster's processes by role, each a tree, plus this process (the load generator) alone. */
export function clusterProcessGroups(cluster: Cluster, benchLabel: string) {
  const groups: Record<string, ProcessGroup> = {
    [benchLabel]: { roots: [process.pid], tree: false },
  };
  for (const node of Object.values(cluster.nodes)) {
    const role = roleOf(node.name);
    (groups[role] ??= { roots: [] }).roots.push(node.pid);
  }
  return groups;
}

const mib = (kib: number) => Math.round(kib / 1024);

/** Memory by role (VmRSS and private RssAnon, MiB) and the totals, as a markdown table. */
export function renderMemory(usage: NodeMemory[]): string {
  const byRole = new Map<string, { rss: number; priv: number; n: number }>();
  for (const node of usage) {
    const role = roleOf(node.name);
    const row = byRole.get(role) ?? { rss: 0, priv: 0, n: 0 };
    row.rss += node.rssKiB;
    row.priv += node.privateKiB;
    row.n += 1;
    byRole.set(role, row);
  }
  const rows = [...byRole]
    .sort((a, b) => b[1].rss - a[1].rss)
    .map(([role, r]) => [role, r.n, mib(r.rss), mib(r.priv)]);
  const total = usage.reduce((t, n) => ({ rss: t.rss + n.rssKiB, priv: t.priv + n.privateKiB }), {
    rss: 0,
    priv: 0,
  });
  rows.push(['**all**', usage.length, mib(total.rss), mib(total.priv)]);
  return renderTable(['role', 'nodes', 'VmRSS MiB', 'private MiB'], rows);
}

/** Start-up phases (ms → s), as start-cluster.ts logs them. */
export function renderTimings(cluster: Cluster, startMs: number): string {
  const phases = Object.entries(cluster.timings).map(
    ([k, ms]) => `${k} ${(ms / 1000).toFixed(1)}s`,
  );
  return `started in ${(startMs / 1000).toFixed(1)} s; phases: ${phases.join(', ')}`;
}
