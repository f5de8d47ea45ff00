/**
 * The bench harness (`npm run bench`) on a handful of sagas against the suite's stack: both
 * scenarios run through the same closed-loop runner, every full-path booking ends ACCEPTED, and
 * the numbers, table and results file have the shape the bench reports.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bookingWorkflowId } from '../../domain/ids.js';
import {
  ratios,
  renderPoints,
  renderRatios,
  runClosedLoop,
  writeResults,
  type LoadPoint,
} from '../../bench/harness.js';
import {
  historyLength,
  runBaselineSaga,
  startBaselineWorker,
  type BaselineWorker,
} from '../../bench/saga-baseline.js';
import { AcceptedPoll } from '../../bench/accepted-observer.js';
import {
  notAccepted,
  prepareFullPath,
  runFullSaga,
  type FullPathFixture,
} from '../../bench/saga-full.js';

// A queue of this file's own, so no other baseline worker can pick up its workflows.
const TASK_QUEUE = `bench-baseline-test-${process.pid}`;
const SAGAS = 6;
const CONCURRENCY = 3;

let client: Client;
let worker: BaselineWorker;
let fixture: FullPathFixture;
// The system runs in the suite's setup process, so this file reads Mongo by `_id` to see ACCEPTED.
const watcher = new AcceptedPoll();

beforeAll(async () => {
  // This file's own worker: keep the SDK's state-change chatter out of the test output.
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });
  await mongoose.connect(inject('mongoUri'));
  client = new Client({
    connection: await Connection.connect({ address: inject('temporalAddress') }),
  });
  [worker, fixture] = await Promise.all([
    startBaselineWorker({ temporalAddress: inject('temporalAddress'), taskQueue: TASK_QUEUE }),
    prepareFullPath(inject('apiUrl'), { properties: CONCURRENCY, travelers: 2 }),
  ]);
});

afterAll(async () => {
  await watcher.stop();
  await worker?.stop();
  await client?.connection.close();
  await mongoose.disconnect();
});

function expectSanePoint(point: LoadPoint, scenario: string) {
  expect(point).toMatchObject({
    scenario,
    mode: 'closed',
    concurrency: CONCURRENCY,
    completed: SAGAS,
    errors: 0,
    errorMessages: [],
  });
  expect(point.samples).toHaveLength(SAGAS);
  expect(point.sagasPerSec).toBeGreaterThan(0);
  expect(point.durationSec).toBeGreaterThan(0);
  for (const stats of Object.values(point.latencies)) {
    expect(stats.count).toBe(SAGAS);
    expect(stats.p50).toBeGreaterThan(0);
    expect(stats.p50).toBeLessThanOrEqual(stats.p90);
    expect(stats.p90).toBeLessThanOrEqual(stats.p99);
    expect(stats.p99).toBeLessThanOrEqual(stats.max);
    expect(stats.max).toBeLessThan(15_000);
  }
  for (const s of point.samples) {
    // End to end spans both measured phases (plus the moment between them).
    expect(s.endToEndMs).toBeGreaterThanOrEqual(s.requestToPendingMs + s.decisionToDoneMs - 1);
  }
}

describe('the bench harness on a tiny run', () => {
  it('measures the baseline and the full path, and every full-path booking ends ACCEPTED', async () => {
    const baseline = await runClosedLoop({
      scenario: 'baseline',
      concurrency: CONCURRENCY,
      total: SAGAS,
      warmup: 1,
      once: async () => (await runBaselineSaga(client, { taskQueue: TASK_QUEUE })).sample,
    });
    const full = await runClosedLoop({
      scenario: 'full',
      concurrency: CONCURRENCY,
      total: SAGAS,
      warmup: 1,
      once: async () => (await runFullSaga(fixture, watcher)).sample,
    });
    expectSanePoint(baseline, 'baseline');
    expectSanePoint(full, 'full');

    expect(fixture.bookingIds).toHaveLength(SAGAS + 1);
    expect(new Set(fixture.bookingIds).size).toBe(SAGAS + 1);
    expect(await notAccepted(fixture.bookingIds)).toEqual([]);

    const [ratio] = ratios([baseline, full]);
    expect(ratio?.concurrency).toBe(CONCURRENCY);
    expect(ratio?.throughput).toBeGreaterThan(0);
    expect(ratio?.p50EndToEnd).toBeGreaterThan(0);

    const table = renderPoints([baseline, full]);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toContain(`| baseline | c=${CONCURRENCY}`);
    expect(renderRatios(ratios([baseline, full]))).toContain(`| ${CONCURRENCY} `);

    // The real saga records more than the floor: its history is the longer one.
    const sampled = fixture.bookingIds[0] as string;
    const fullEvents = await historyLength(client, bookingWorkflowId(sampled));
    const { workflowId } = await runBaselineSaga(client, { taskQueue: TASK_QUEUE });
    const baselineEvents = await historyLength(client, workflowId);
    expect(baselineEvents).toBeGreaterThan(10);
    expect(fullEvents).toBeGreaterThan(baselineEvents);

    const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
    try {
      const file = writeResults(
        dir,
        { points: [baseline, full] },
        new Date('2026-01-02T03:04:05.678Z'),
      );
      expect(file).toBe(join(dir, '2026-01-02T03-04-05-678Z.json'));
      expect(existsSync(file)).toBe(true);
      const written = JSON.parse(readFileSync(file, 'utf8')) as { points: LoadPoint[] };
      expect(written.points.map((p) => p.scenario)).toEqual(['baseline', 'full']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
