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
 * Each flag also reads from BENCH_<FLAG> (BENCH_BOOKINGS=2000, BENCH_QUICK=1, ...).
 */
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { createLogger } from '../config/logger.js';
import { bookingWorkflowId } from '../domain/ids.js';
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
  runClosedLoop,
  sweepOpenLoop,
  writeResults,
  type LoadPoint,
  type SagaSample,
} from './harness.js';
import { measureProcessCost, renderCostTable, type CostReport } from './process-cost.js';
import {
  BASELINE_TASK_QUEUE,
  historyLength,
  runBaselineSaga,
  startBaselineWorker,
} from './saga-baseline.js';
import { AcceptedTap } from './accepted-observer.js';
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
}

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
  };
}

interface Costed<T> {
  result: T;
  cost: CostReport;
}

async function main() {
  const options = parseOptions(process.argv.slice(2), process.env);
  const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);
  say(`options ${JSON.stringify(options)}`);

  const { stack, dataDir, apiPort: api, remove } = await startThrowawayStack('bench');
  const watcher = new AcceptedTap();
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
    { workerInterceptors: watcher.workerInterceptors },
  );
  const apiUrl = `http://127.0.0.1:${api}`;
  const client = new Client({
    connection: await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS }),
  });
  const baselineWorker = await startBaselineWorker({
    temporalAddress: stack.env.TEMPORAL_ADDRESS,
    namespace: process.env.TEMPORAL_NAMESPACE,
  });
  say(`system up: api ${apiUrl}, temporal ${stack.env.TEMPORAL_ADDRESS}, data ${dataDir}`);

  const pids: Record<string, number> = {
    'node (api, worker, bridge, notifier, bench)': process.pid,
  };
  for (const p of stack.processes) if (p.pid !== undefined) pids[p.name] = p.pid;
  const costed = async <T>(work: () => Promise<T>): Promise<Costed<T>> => {
    const meter = measureProcessCost(pids);
    meter.start();
    const result = await work();
    return { result, cost: meter.stop() };
  };

  try {
    const maxConcurrency = Math.max(...options.concurrency);
    const fixture: FullPathFixture | undefined = options.scenarios.includes('full')
      ? await prepareFullPath(apiUrl, { properties: Math.max(16, maxConcurrency), travelers: 8 })
      : undefined;
    const once = {
      baseline: async (): Promise<SagaSample> => (await runBaselineSaga(client)).sample,
      full: async (): Promise<SagaSample> =>
        (await runFullSaga(fixture as FullPathFixture, watcher)).sample,
    };

    const points: LoadPoint[] = [];
    const costs: { scenario: string; concurrency: number; cost: CostReport }[] = [];
    for (const concurrency of options.concurrency) {
      for (const scenario of options.scenarios) {
        say(`${scenario} c=${concurrency}: ${options.bookings} sagas (+${options.warmup} warm-up)`);
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
          `  ${result.sagasPerSec.toFixed(1)} sagas/s, p50 end to end ${result.latencies.endToEnd.p50.toFixed(1)} ms, ${result.errors} errors`,
        );
      }
    }

    let openLoop: Awaited<ReturnType<typeof sweepOpenLoop>> | undefined;
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
          apiUrl,
          users: options.apiLoadUsers,
          durationSec: options.apiLoadDurationSec,
          log: say,
        }),
      );
    }

    const ratioList = ratios(points);
    const sagaCount = (p: LoadPoint) => p.completed + p.errors;
    const out: string[] = [
      '## Saga latency and throughput (closed loop; open loop when swept)',
      '',
      renderPoints(points),
      '',
      '## Full path ÷ baseline',
      '',
      renderRatios(ratioList),
      '',
      `History length (events): ${Object.entries(histories)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      openLoop
        ? `Highest sustainable open-loop rate (full path, p99 end to end ≤ ${options.p99LimitMs} ms, no errors): ${openLoop.sustainableRatePerSec ?? 'none of the rates tried'}/s${openLoop.sustainableRatePerSec === Math.max(...options.openLoopRates) ? ' (the highest rate tried: raise --open-loop-rates to find the limit)' : ''}`
        : '',
      fixture
        ? `Full-path bookings: ${fixture.bookingIds.length}, not ACCEPTED: ${missing.length}`
        : '',
    ];
    for (const c of costs) {
      const p = points.find(
        (x) => x.scenario === c.scenario && x.mode === 'closed' && x.concurrency === c.concurrency,
      ) as LoadPoint;
      out.push(
        '',
        `### Process cost: ${c.scenario} c=${c.concurrency} (${sagaCount(p)} sagas + ${options.warmup} warm-up)`,
        '',
        renderCostTable(c.cost, sagaCount(p) + options.warmup),
      );
    }
    if (apiLoad) {
      out.push('', '## API load', '', renderApiLoadTable(apiLoad.result), '');
      out.push(renderCostTable(apiLoad.cost));
    }
    const file = writeResults(RESULTS_DIR, {
      startedAt: new Date().toISOString(),
      options,
      stack: { ...stack.env, external: stack.processes.length < 3 },
      baselineTaskQueue: BASELINE_TASK_QUEUE,
      ownerDecisionTimeout: OWNER_DECISION_TIMEOUT,
      points,
      ratios: ratioList,
      costs,
      historyLength: histories,
      openLoop: openLoop && { sustainableRatePerSec: openLoop.sustainableRatePerSec },
      fullPath: fixture && {
        bookings: fixture.bookingIds.length,
        notAccepted: missing,
      },
      apiLoad,
    });
    process.stdout.write(
      `\n${out.filter((l, i, a) => l !== '' || a[i - 1] !== '').join('\n')}\n\n`,
    );
    say(`raw results: ${file}`);
    if (missing.length > 0) {
      say(`FAILED: ${missing.length} booking(s) did not end ACCEPTED`);
      process.exitCode = 1;
    }
  } finally {
    await watcher.stop();
    await baselineWorker.stop();
    await client.connection.close();
    await system.stop();
    await remove();
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
