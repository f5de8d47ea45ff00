/**
 * How long `npm run start:cluster` takes and how much memory the cluster holds while idle
 * (issue 15): each run starts the cluster in a fresh data directory (cold data: initdb, schemas,
 * Kafka storage, topics, the workflow bundle) from the cached builds (warm binaries), on ports
 * shifted by an offset, without the agent, then waits idle and reads every node's memory the way
 * processes/start-cluster.ts reports it (VmRSS by role, and private RssAnon), then stops it.
 *
 *   npx tsx bench/cluster-start.ts [--runs 1] [--idle 60] [--no-web] [--port-offset 2500]
 */
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_BENCH_PORT_OFFSET,
  renderMemory,
  renderTimings,
  startClusterTarget,
} from './cluster-target.js';
import { renderTable, writeResults } from './harness.js';

const RESULTS_DIR = fileURLToPath(new URL('./results', import.meta.url));
const say = (line: string) => process.stdout.write(`[cluster-start] ${line}\n`);

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

async function main() {
  const runs = Number(option('runs', '1'));
  const idleSec = Number(option('idle', '60'));
  const portOffset = Number(option('port-offset', String(DEFAULT_BENCH_PORT_OFFSET)));
  const web = !process.argv.includes('--no-web');
  const results = [];
  const out: string[] = [];
  for (let run = 1; run <= runs; run++) {
    const target = await startClusterTarget({ portOffset, web, say });
    try {
      const { cluster } = target;
      say(renderTimings(cluster, target.startMs));
      say(`idle for ${idleSec} s...`);
      await new Promise((resolve) => setTimeout(resolve, idleSec * 1000));
      const memory = cluster.memory();
      const rss = memory.reduce((t, n) => t + n.rssKiB, 0) / 1024;
      const priv = memory.reduce((t, n) => t + n.privateKiB, 0) / 1024;
      say(`memory ${Math.round(rss)} MiB VmRSS (${Math.round(priv)} MiB private) in all`);
      results.push({
        run,
        startMs: target.startMs,
        timings: cluster.timings,
        memory,
        nodes: Object.keys(cluster.nodes).length,
      });
      out.push(
        `## Run ${run}: ${renderTimings(cluster, target.startMs)}`,
        '',
        `${Object.keys(cluster.nodes).length} nodes; memory after ${idleSec} s idle:`,
        '',
        renderMemory(memory),
        '',
      );
    } finally {
      await target.remove();
    }
  }
  const phases = [...new Set(results.flatMap((r) => Object.keys(r.timings)))];
  out.push(
    renderTable(
      ['run', 'start s', ...phases.map((p) => `${p} s`), 'VmRSS MiB', 'private MiB'],
      results.map((r) => [
        r.run,
        (r.startMs / 1000).toFixed(1),
        ...phases.map((p) => ((r.timings[p] ?? 0) / 1000).toFixed(1)),
        Math.round(r.memory.reduce((t, n) => t + n.rssKiB, 0) / 1024),
        Math.round(r.memory.reduce((t, n) => t + n.privateKiB, 0) / 1024),
      ]),
    ),
  );
  process.stdout.write(`\n${out.join('\n')}\n\n`);
  const file = writeResults(RESULTS_DIR, { kind: 'cluster-start', idleSec, web, results });
  say(`raw results: ${file}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `[cluster-start] failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
