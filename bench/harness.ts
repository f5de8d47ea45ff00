/**
 * The bench's measuring tools, free of any StaySaga knowledge: latency statistics, closed- and
 * open-loop runners, the markdown table and the raw JSON results file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** One saga's three latencies, in milliseconds. */
export interface SagaSample {
  /** Request (or start) until PENDING is visible (the first activities are done). */
  requestToPendingMs: number;
  /** Decision sent until the decided status is visible. */
  decisionToDoneMs: number;
  /** Request until the decided status is visible. */
  endToEndMs: number;
}

export interface LatencyStats {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LatencySet {
  requestToPending: LatencyStats;
  decisionToDone: LatencyStats;
  endToEnd: LatencyStats;
}

export interface LoadPoint {
  scenario: string;
  mode: 'closed' | 'open';
  /** Sagas in flight at once (closed loop). */
  concurrency?: number;
  /** Sagas started per second (open loop). */
  targetRatePerSec?: number;
  completed: number;
  errors: number;
  /** The first few error messages, to see what went wrong. */
  errorMessages: string[];
  durationSec: number;
  sagasPerSec: number;
  latencies: LatencySet;
  samples: SagaSample[];
}

/** Nearest-rank percentile of ascending `sorted` values (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function latencyStats(values: readonly number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : 0,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : 0,
  };
}

export function latencySet(samples: readonly SagaSample[]): LatencySet {
  return {
    requestToPending: latencyStats(samples.map((s) => s.requestToPendingMs)),
    decisionToDone: latencyStats(samples.map((s) => s.decisionToDoneMs)),
    endToEnd: latencyStats(samples.map((s) => s.endToEndMs)),
  };
}

const MAX_ERROR_MESSAGES = 5;

class Collector {
  readonly samples: SagaSample[] = [];
  errors = 0;
  readonly errorMessages: string[] = [];

  async run(once: () => Promise<SagaSample>): Promise<void> {
    try {
      this.samples.push(await once());
    } catch (error) {
      this.errors += 1;
      if (this.errorMessages.length < MAX_ERROR_MESSAGES) {
        this.errorMessages.push(error instanceof Error ? error.message : String(error));
      }
    }
  }
}

export interface ClosedLoopOptions {
  scenario: string;
  concurrency: number;
  /** Sagas measured. */
  total: number;
  /** Sagas run first at the same concurrency and thrown away. */
  warmup?: number;
  once: () => Promise<SagaSample>;
}

/**
 * `concurrency` loops, each running sagas back to back until `total` have been started: a
 * closed system, so throughput is whatever the system sustains with that many in flight.
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<LoadPoint> {
  const { concurrency, once } = options;
  const runBatch = async (total: number, collector: Collector) => {
    let started = 0;
    const loop = async () => {
      while (started < total) {
        started += 1;
        await collector.run(once);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, loop));
  };
  if (options.warmup) await runBatch(options.warmup, new Collector());
  const collector = new Collector();
  const t0 = performance.now();
  await runBatch(options.total, collector);
  const durationSec = (performance.now() - t0) / 1000;
  return point(options.scenario, 'closed', collector, durationSec, { concurrency });
}

export interface OpenLoopOptions {
  scenario: string;
  ratePerSec: number;
  durationSec: number;
  once: () => Promise<SagaSample>;
}

/**
 * Starts sagas at a fixed rate whatever happens to the ones already running (an open system):
 * when the system cannot keep up, latencies grow without bound instead of throughput dropping.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<LoadPoint> {
  const { ratePerSec, durationSec, once } = options;
  const collector = new Collector();
  const count = Math.max(1, Math.round(ratePerSec * durationSec));
  const t0 = performance.now();
  const running: Promise<void>[] = [];
  for (let k = 0; k < count; k++) {
    const due = t0 + (k * 1000) / ratePerSec;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    running.push(collector.run(once));
  }
  await Promise.all(running);
  const elapsed = (performance.now() - t0) / 1000;
  return point(options.scenario, 'open', collector, elapsed, { targetRatePerSec: ratePerSec });
}

export interface SweepOptions {
  scenario: string;
  rates: number[];
  durationSec: number;
  /** Stop once p99 end to end exceeds this (ms). */
  p99LimitMs: number;
  once: () => Promise<SagaSample>;
}

/** Open-loop points at increasing rates until p99 end to end exceeds the limit or errors appear. */
export async function sweepOpenLoop(
  options: SweepOptions,
): Promise<{ points: LoadPoint[]; sustainableRatePerSec: number | null }> {
  const points: LoadPoint[] = [];
  let sustainable: number | null = null;
  for (const ratePerSec of options.rates) {
    const p = await runOpenLoop({ ...options, ratePerSec });
    points.push(p);
    if (p.errors > 0 || p.latencies.endToEnd.p99 > options.p99LimitMs) break;
    sustainable = ratePerSec;
  }
  return { points, sustainableRatePerSec: sustainable };
}

function point(
  scenario: string,
  mode: LoadPoint['mode'],
  collector: Collector,
  durationSec: number,
  extra: Pick<LoadPoint, 'concurrency' | 'targetRatePerSec'>,
): LoadPoint {
  return {
    scenario,
    mode,
    ...extra,
    completed: collector.samples.length,
    errors: collector.errors,
    errorMessages: collector.errorMessages,
    durationSec,
    sagasPerSec: durationSec > 0 ? collector.samples.length / durationSec : 0,
    latencies: latencySet(collector.samples),
    samples: collector.samples,
  };
}

/** Full/baseline at the same concurrency: how many times the floor each number is. */
export interface Ratio {
  concurrency: number;
  /** full sagas/s ÷ baseline sagas/s (below 1: the real path is slower). */
  throughput: number;
  /** full p50 end to end ÷ baseline p50 end to end. */
  p50EndToEnd: number;
}

export function ratios(points: readonly LoadPoint[], full = 'full', baseline = 'baseline') {
  const result: Ratio[] = [];
  for (const f of points.filter((p) => p.scenario === full && p.mode === 'closed')) {
    const b = points.find(
      (p) => p.scenario === baseline && p.mode === 'closed' && p.concurrency === f.concurrency,
    );
    if (!b || b.sagasPerSec === 0 || b.latencies.endToEnd.p50 === 0) continue;
    result.push({
      concurrency: f.concurrency as number,
      throughput: f.sagasPerSec / b.sagasPerSec,
      p50EndToEnd: f.latencies.endToEnd.p50 / b.latencies.endToEnd.p50,
    });
  }
  return result;
}

export function renderTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(3, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [
    line(headers),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

const ms = (v: number) => v.toFixed(v < 10 ? 1 : 0);
const latency = (s: LatencyStats) => `${ms(s.p50)} / ${ms(s.p90)} / ${ms(s.p99)} / ${ms(s.max)}`;

/** One row per load point: throughput and p50/p90/p99/max of the three latencies. */
export function renderPoints(points: readonly LoadPoint[]): string {
  return renderTable(
    [
      'scenario',
      'load',
      'sagas',
      'errors',
      'sagas/s',
      'request→PENDING ms p50/p90/p99/max',
      'decision→done ms p50/p90/p99/max',
      'end to end ms p50/p90/p99/max',
    ],
    points.map((p) => [
      p.scenario,
      p.mode === 'closed' ? `c=${p.concurrency}` : `${p.targetRatePerSec}/s open`,
      p.completed,
      p.errors,
      p.sagasPerSec.toFixed(1),
      latency(p.latencies.requestToPending),
      latency(p.latencies.decisionToDone),
      latency(p.latencies.endToEnd),
    ]),
  );
}

export function renderRatios(list: readonly Ratio[]): string {
  return renderTable(
    ['concurrency', 'throughput full/baseline', 'p50 end to end full/baseline'],
    list.map((r) => [r.concurrency, `${r.throughput.toFixed(2)}x`, `${r.p50EndToEnd.toFixed(2)}x`]),
  );
}

/** Writes `<dir>/<timestamp>.json` and returns its path. */
export function writeResults(dir: string, results: unknown, now = new Date()): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${now.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
