/**
 * `npm run bench`: the saga bench (issue 6). Starts the embedded stack on free ports in a temp
 * data dir (or uses TEMPORAL_ADDRESS / KAFKA_BROKERS / MONGODB_URI), the whole system in this
 * process, then measures, at each concurrency, closed loops of
 *   baseline  the same-shaped workflow with do-nothing activities (Temporal's own floor), and
 *   full      the real path: HTTP request -> PENDING -> owner approval over Kafka -> ACCEPTED,
 * plus (with --open-loop) a fixed-rate sweep, the CPU and memory each process spent, and API load.
 * Prints markdown tables and writes the raw numbers to bench/results/<timestamp>.json.
 *
 *   npm run bench -- --quick                       smoke run (about a minute)
 *   npm run bench -- --bookings 2000 --concurrency 1,8,32,128 [--warmup 100] [--open-loop]
 *                    [--scenarios baseline,full] [--api-load] [--no-api-load]
 *                    [--target embedded,cluster] [--observer tap|poll] [--cluster-port-offset 2500]
 * Each flag also reads from BENCH_<FLAG> (BENCH_BOOKINGS=2000, BENCH_QUICK=1, ...).
 *
 * `--target cluster` runs the same scenarios against the production topology on loopback
 * (stack/cluster: PostgreSQL, five Temporal services, FerretDB on PostgreSQL, three Kafka brokers,
 * two of each StaySaga process behind HAProxy), started by the bench on ports shifted by the
 * offset; `--target embedded,cluster` runs both, one after the other in this process, and prints
 * the cluster's numbers beside the embedded ones. The cluster's workers run in processes of
 * their own, so ACCEPTED is seen by reading each booking by `_id` (`--observer poll`, the
 * default whenever the cluster is a target, for both targets alike).
 */
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { createLogger } from '../config/logger.js';
import { bookingWorkflowId } from '../domain/ids.js';
import { connectMongo, disconnectMongo } from '../db/connection.js';
import { startThrowawayStack } from '../stack/throwaway-stack.js';
import { runComponentsOn } from '../processes/main.js';
import {
  LOAD_TEST_POLICY,
  renderApiLoadTable,
  runApiLoad,
  type ApiLoadResult,
} from './api-load.js';
import {
  ratios,
  renderPoints,
  renderRatios,
  renderTable,
  runClosedLoop,
  sweepOpenLoop,
  writeResults,
  type LoadPoint,
  type SagaSample,
} from './harness.js';
import {
  measureProcessCost,
  measureProcessTreeCost,
  renderCostTable,
  type CostReport,
} from './process-cost.js';
import {
  clusterProcessGroups,
  DEFAULT_BENCH_PORT_OFFSET,
  renderMemory,
  renderTimings,
  startClusterTarget,
} from './cluster-target.js';
import {
  BASELINE_TASK_QUEUE,
  historyLength,
  runBaselineSaga,
  startBaselineWorker,
} from './saga-baseline.js';
import { AcceptedPoll, AcceptedTap, type AcceptedObserver } from './accepted-observer.js';
import { notAccepted, prepareFullPath, runFullSaga, type FullPathFixture } from './saga-full.js';

const RESULTS_DIR = fileURLToPath(new URL('./results', import.meta.url));
const OWNER_DECISION_TIMEOUT = '1h';

export interface BenchOptions {
  quick: boolean;
  bookings: number;
  warmup: number;
  concurrency: number[];
  scenarios: ('baseline' | 'full')[];
  openLoop: boolean;
  openLoopRates: number[];
  openLoopDurationSec: number;
  p99LimitMs: number;
  apiLoad: boolean;
  apiLoadUsers: number[];
  apiLoadDurationSec: number;
  targets: Target[];
  observer: 'tap' | 'poll';
  clusterPortOffset: number;
  /** Seconds the cluster sits idle after starting, before its memory is read. */
  clusterIdleSec: number;
}

export type Target = 'embedded' | 'cluster';

const intList = (text: string) =>
  text.split(',').map((v) => {
    const n = Number(v.trim());
    if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number: ${v}`);
    return n;
  });

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) flags.set(name, inline);
    else if (next !== undefined && !next.startsWith('--')) {
      flags.set(name, next);
      i++;
    } else flags.set(name, 'true');
  }
  const get = (name: string) =>
    flags.get(name) ?? env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const bool = (name: string) => {
    const v = get(name);
    return v !== undefined && v !== 'false' && v !== '0';
  };
  const quick = bool('quick');
  const scenarios = (get('scenarios') ?? 'baseline,full').split(',').map((s) => s.trim());
  for (const s of scenarios) {
    if (s !== 'baseline' && s !== 'full') throw new Error(`unknown scenario ${s}`);
  }
  const targetList = (get('target') ?? 'embedded').split(',').map((s) => s.trim());
  for (const t of targetList) {
    if (t !== 'embedded' && t !== 'cluster') throw new Error(`unknown target ${t}`);
  }
  const targets = targetList as Target[];
  const observerName = get('observer') ?? (targets.includes('cluster') ? 'poll' : 'tap');
  if (observerName !== 'tap' && observerName !== 'poll') {
    throw new Error(`unknown observer ${observerName}`);
  }
  if (observerName === 'tap' && targets.includes('cluster')) {
    throw new Error('--observer tap needs the worker in this process: not on the cluster');
  }
  const observer: 'tap' | 'poll' = observerName;
  return {
    quick,
    bookings: Number(get('bookings') ?? (quick ? 40 : 2000)),
    warmup: Number(get('warmup') ?? (quick ? 10 : 100)),
    concurrency: intList(get('concurrency') ?? (quick ? '1,8' : '1,8,32,128')),
    scenarios: scenarios as BenchOptions['scenarios'],
    openLoop: bool('open-loop'),
    openLoopRates: intList(get('open-loop-rates') ?? (quick ? '5,10' : '10,20,40,80,160,320')),
    openLoopDurationSec: Number(get('open-loop-duration') ?? (quick ? 3 : 20)),
    p99LimitMs: Number(get('p99-limit-ms') ?? 5000),
    apiLoad: bool('no-api-load') ? false : flags.has('api-load') ? bool('api-load') : !quick,
    apiLoadUsers: intList(get('api-load-users') ?? (quick ? '1,8' : '100,200,300,400,500')),
    apiLoadDurationSec: Number(get('api-load-duration') ?? (quick ? 5 : 30)),
    targets,
    observer,
    clusterPortOffset: Number(get('cluster-port-offset') ?? DEFAULT_BENCH_PORT_OFFSET),
    clusterIdleSec: Number(get('cluster-idle') ?? 20),
  };
}

interface Costed<T> {
  result: T;
  cost: CostReport;
}

/** A running system the scenarios are measured on, whichever target it is. */
interface SystemUnderBench {
  target: Target;
  apiUrl: string;
  temporalAddress: string;
  watcher: AcceptedObserver;
  /** A cost meter over this target's processes. */
  meter(): { start(): void; stop(): CostReport };
  /** Printed before the results: what ran, start-up, idle memory. */
  notes: string[];
  /** Kept in the raw results. */
  info: Record<string, unknown>;
  stop(): Promise<void>;
}

const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);

/** The embedded stack and the whole system in this process, as `npm run bench` always ran. */
async function startEmbedded(options: BenchOptions): Promise<SystemUnderBench> {
  const { stack, dataDir, apiPort: api, remove } = await startThrowawayStack('bench');
  const tap = options.observer === 'tap' ? new AcceptedTap() : undefined;
  const system = await runComponentsOn(
    stack,
    'all',
    {
      PORT: String(api),
      HOST: '127.0.0.1',
      AGENT_PORT: '0',
      OWNER_DECISION_TIMEOUT,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...LOAD_TEST_POLICY,
    },
    createLogger('bench', 'warn'),
    tap ? { workerInterceptors: tap.workerInterceptors } : {},
  );
  const pids: Record<string, number> = {
    'node (api, worker, bridge, notifier, bench)': process.pid,
  };
  for (const p of stack.processes) if (p.pid !== undefined) pids[p.name] = p.pid;
  const apiUrl = `http://127.0.0.1:${api}`;
  say(`embedded system up: api ${apiUrl}, temporal ${stack.env.TEMPORAL_ADDRESS}, data ${dataDir}`);
  return {
    target: 'embedded',
    apiUrl,
    temporalAddress: stack.env.TEMPORAL_ADDRESS,
    watcher: tap ?? new AcceptedPoll(),
    meter: () => measureProcessCost(pids),
    notes: [],
    info: { stack: { ...stack.env, external: stack.processes.length < 3 } },
    async stop() {
      await system.stop();
      await remove();
    },
  };
}

/** The cluster, started here on ports of its own; the load generator and observer stay here. */
async function startClusterSystem(options: BenchOptions): Promise<SystemUnderBench> {
  const target = await startClusterTarget({
    portOffset: options.clusterPortOffset,
    replicaEnv: {
      OWNER_DECISION_TIMEOUT,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...LOAD_TEST_POLICY,
    },
    say,
  });
  const { cluster } = target;
  try {
    await connectMongo(cluster.addresses.mongo, createLogger('bench', 'warn'));
    say(`cluster idle for ${options.clusterIdleSec} s before reading its memory...`);
    await new Promise((resolve) => setTimeout(resolve, options.clusterIdleSec * 1000));
    const memory = cluster.memory();
    const groups = clusterProcessGroups(cluster, 'node: the bench (load, baseline worker)');
    return {
      target: 'cluster',
      apiUrl: cluster.addresses.api,
      temporalAddress: cluster.addresses.temporal,
      watcher: new AcceptedPoll(),
      meter: () => measureProcessTreeCost(groups),
      notes: [
        `Cluster ${renderTimings(cluster, target.startMs)}.`,
        '',
        `Idle memory after ${options.clusterIdleSec} s (before any booking):`,
        '',
        renderMemory(memory),
      ],
      info: {
        addresses: cluster.addresses,
        timings: cluster.timings,
        startMs: target.startMs,
        idleMemory: memory,
      },
      async stop() {
        await disconnectMongo();
        await target.remove();
      },
    };
  } catch (error) {
    await disconnectMongo().catch(() => undefined);
    await target.remove();
    throw error;
  }
}

interface TargetResult {
  target: Target;
  points: LoadPoint[];
  costs: { scenario: string; concurrency: number; cost: CostReport }[];
  histories: Record<string, number>;
  fullBookings: number;
  missing: string[];
  openLoop?: Awaited<ReturnType<typeof sweepOpenLoop>>;
  apiLoad?: Costed<ApiLoadResult[]>;
  notes: string[];
  info: Record<string, unknown>;
}

/** Every measurement of one target: closed loops, the open-loop sweep, API load. */
async function measureTarget(sut: SystemUnderBench, options: BenchOptions): Promise<TargetResult> {
  const client = new Client({
    connection: await Connection.connect({ address: sut.temporalAddress }),
  });
  const baselineWorker = await startBaselineWorker({
    temporalAddress: sut.temporalAddress,
    namespace: process.env.TEMPORAL_NAMESPACE,
  });
  const costed = async <T>(work: () => Promise<T>): Promise<Costed<T>> => {
    const meter = sut.meter();
    meter.start();
    const result = await work();
    return { result, cost: meter.stop() };
  };
  try {
    const maxConcurrency = Math.max(...options.concurrency);
    const fixture: FullPathFixture | undefined = options.scenarios.includes('full')
      ? await prepareFullPath(sut.apiUrl, {
          properties: Math.max(16, maxConcurrency),
          travelers: 8,
        })
      : undefined;
    const once = {
      baseline: async (): Promise<SagaSample> => (await runBaselineSaga(client)).sample,
      full: async (): Promise<SagaSample> =>
        (await runFullSaga(fixture as FullPathFixture, sut.watcher)).sample,
    };

    const points: LoadPoint[] = [];
    const costs: TargetResult['costs'] = [];
    for (const concurrency of options.concurrency) {
      for (const scenario of options.scenarios) {
        say(
          `${sut.target}: ${scenario} c=${concurrency}: ${options.bookings} sagas (+${options.warmup} warm-up)`,
        );
        const { result, cost } = await costed(() =>
          runClosedLoop({
            scenario,
            concurrency,
            total: options.bookings,
            warmup: options.warmup,
            once: once[scenario],
          }),
        );
        points.push(result);
        costs.push({ scenario, concurrency, cost });
        say(
          `  ${result.sagasPerSec.toFixed(1)} sagas/s, p50 end to end ${result.latencies.endToEnd.p50.toFixed(1)} ms, ${result.errors} errors${result.errorMessages.length ? ` (${result.errorMessages[0]})` : ''}`,
        );
      }
    }

    let openLoop: TargetResult['openLoop'];
    if (options.openLoop && fixture) {
      say(`open-loop sweep of the full path at ${options.openLoopRates.join(', ')}/s`);
      openLoop = await sweepOpenLoop({
        scenario: 'full',
        rates: options.openLoopRates,
        durationSec: options.openLoopDurationSec,
        p99LimitMs: options.p99LimitMs,
        once: once.full,
      });
      points.push(...openLoop.points);
    }

    // Every full-path booking must have ended ACCEPTED.
    const missing = fixture ? await notAccepted(fixture.bookingIds) : [];
    const histories: Record<string, number> = {};
    if (fixture && fixture.bookingIds.length > 0) {
      const sampled = fixture.bookingIds[Math.floor(fixture.bookingIds.length / 2)] as string;
      histories.full = await historyLength(client, bookingWorkflowId(sampled));
    }
    if (options.scenarios.includes('baseline')) {
      const { workflowId } = await runBaselineSaga(client);
      histories.baseline = await historyLength(client, workflowId);
    }

    let apiLoad: Costed<ApiLoadResult[]> | undefined;
    if (options.apiLoad) {
      say(
        `API load: users ${options.apiLoadUsers.join(', ')} for ${options.apiLoadDurationSec}s each`,
      );
      apiLoad = await costed(() =>
        runApiLoad({
          apiUrl: sut.apiUrl,
          users: options.apiLoadUsers,
          durationSec: options.apiLoadDurationSec,
          log: say,
        }),
      );
    }
    return {
      target: sut.target,
      points,
      costs,
      histories,
      fullBookings: fixture?.bookingIds.length ?? 0,
      missing,
      openLoop,
      apiLoad,
      notes: sut.notes,
      info: sut.info,
    };
  } finally {
    await sut.watcher.stop();
    await baselineWorker.stop();
    await client.connection.close();
  }
}

/** One target's tables, as `npm run bench` has always printed them. */
function renderTarget(r: TargetResult, options: BenchOptions, heading: boolean): string[] {
  const h = (title: string) => (heading ? `${title} (${r.target})` : title);
  const ratioList = ratios(r.points);
  const sagaCount = (p: LoadPoint) => p.completed + p.errors;
  const out: string[] = [
    ...(heading ? [`# Target: ${r.target}`, '', ...r.notes, ''] : []),
    `## ${h('Saga latency and throughput (closed loop; open loop when swept)')}`,
    '',
    renderPoints(r.points),
    '',
    `## ${h('Full path ÷ baseline')}`,
    '',
    renderRatios(ratioList),
    '',
    `History length (events): ${Object.entries(r.histories)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    r.openLoop
      ? `Highest sustainable open-loop rate (full path, p99 end to end ≤ ${options.p99LimitMs} ms, no errors): ${r.openLoop.sustainableRatePerSec ?? 'none of the rates tried'}/s${r.openLoop.sustainableRatePerSec === Math.max(...options.openLoopRates) ? ' (the highest rate tried: raise --open-loop-rates to find the limit)' : ''}`
      : '',
    r.fullBookings > 0
      ? `Full-path bookings: ${r.fullBookings}, not ACCEPTED: ${r.missing.length}`
      : '',
  ];
  for (const c of r.costs) {
    const p = r.points.find(
      (x) => x.scenario === c.scenario && x.mode === 'closed' && x.concurrency === c.concurrency,
    ) as LoadPoint;
    out.push(
      '',
      `### Process cost: ${c.scenario} c=${c.concurrency} (${sagaCount(p)} sagas + ${options.warmup} warm-up)${heading ? `, ${r.target}` : ''}`,
      '',
      renderCostTable(c.cost, sagaCount(p) + options.warmup),
    );
  }
  if (r.apiLoad) {
    out.push('', `## ${h('API load')}`, '', renderApiLoadTable(r.apiLoad.result), '');
    out.push(renderCostTable(r.apiLoad.cost));
  }
  return out;
}

/** Each closed-loop point of the first target beside the same point of the others. */
function renderComparison(results: TargetResult[], options: BenchOptions): string[] {
  const [base, ...others] = results as [TargetResult, ...TargetResult[]];
  const rows: (string | number)[][] = [];
  for (const p of base.points.filter((x) => x.mode === 'closed')) {
    for (const other of others) {
      const q = other.points.find(
        (x) => x.mode === 'closed' && x.scenario === p.scenario && x.concurrency === p.concurrency,
      );
      if (!q) continue;
      const cpu = (r: TargetResult, x: LoadPoint) => {
        const c = r.costs.find((k) => k.scenario === x.scenario && k.concurrency === x.concurrency);
        const n = x.completed + x.errors + options.warmup;
        return c && n > 0 ? (c.cost.totalCpuSeconds * 1000) / n : Number.NaN;
      };
      const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '–');
      rows.push([
        p.scenario,
        `c=${p.concurrency}`,
        p.sagasPerSec.toFixed(1),
        q.sagasPerSec.toFixed(1),
        ratio(q.sagasPerSec, p.sagasPerSec),
        p.latencies.endToEnd.p50.toFixed(0),
        q.latencies.endToEnd.p50.toFixed(0),
        ratio(q.latencies.endToEnd.p50, p.latencies.endToEnd.p50),
        p.latencies.endToEnd.p99.toFixed(0),
        q.latencies.endToEnd.p99.toFixed(0),
        cpu(base, p).toFixed(0),
        cpu(other, q).toFixed(0),
        `${p.errors} / ${q.errors}`,
      ]);
    }
  }
  const [a, b] = [base.target, others.map((o) => o.target).join('+')];
  return [
    `# ${b} beside ${a} (same harness, same run)`,
    '',
    renderTable(
      [
        'scenario',
        'load',
        `${a} sagas/s`,
        `${b} sagas/s`,
        `${b}/${a}`,
        `${a} p50 e2e ms`,
        `${b} p50 e2e ms`,
        `${b}/${a}`,
        `${a} p99 e2e ms`,
        `${b} p99 e2e ms`,
        `${a} CPU ms/booking`,
        `${b} CPU ms/booking`,
        'errors',
      ],
      rows,
    ),
  ];
}

async function main() {
  const options = parseOptions(process.argv.slice(2), process.env);
  say(`options ${JSON.stringify(options)}`);
  const results: TargetResult[] = [];
  // One target at a time: the machine's two cores serve one system, never both at once.
  for (const target of options.targets) {
    const sut =
      target === 'embedded' ? await startEmbedded(options) : await startClusterSystem(options);
    try {
      results.push(await measureTarget(sut, options));
    } finally {
      say(`stopping the ${target} system...`);
      await sut.stop();
    }
  }

  const several = results.length > 1;
  const out = results.flatMap((r) => [...renderTarget(r, options, several), '']);
  if (several) out.push(...renderComparison(results, options));
  const file = writeResults(RESULTS_DIR, {
    startedAt: new Date().toISOString(),
    options,
    baselineTaskQueue: BASELINE_TASK_QUEUE,
    ownerDecisionTimeout: OWNER_DECISION_TIMEOUT,
    targets: results.map((r) => ({
      target: r.target,
      ...r.info,
      points: r.points,
      ratios: ratios(r.points),
      costs: r.costs,
      historyLength: r.histories,
      openLoop: r.openLoop && { sustainableRatePerSec: r.openLoop.sustainableRatePerSec },
      fullPath: { bookings: r.fullBookings, notAccepted: r.missing },
      apiLoad: r.apiLoad,
    })),
  });
  process.stdout.write(`\n${out.filter((l, i, a) => l !== '' || a[i - 1] !== '').join('\n')}\n\n`);
  say(`raw results: ${file}`);
  const missing = results.reduce((n, r) => n + r.missing.length, 0);
  if (missing > 0) {
    say(`FAILED: ${missing} booking(s) did not end ACCEPTED`);
    process.exitCode = 1;
  }
}

const isEntryPoint = import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntryPoint) {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      process.stderr.write(
        `[bench] failed: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
