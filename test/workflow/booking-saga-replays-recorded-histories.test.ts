/**
 * Every recorded booking history (test/fixtures/histories, from the time-skipping saga tests and
 * the real-stack end-to-end tests) replays against today's workflow code without
 * non-determinism: bookings already running in production would survive this deploy.
 */
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH, workflowBundlerOptions } from '../../processes/booking-worker.js';
import { BOOKING_WORKFLOW_TYPE } from '../../workflows/booking-definitions.js';
import { loadHistoryFixtures } from '../support/history-fixtures.js';

describe('the saga', () => {
  it('is exported under the workflow type every client starts it by', async () => {
    const workflows: Record<string, unknown> = await import('../../workflows/index.js');
    expect(typeof workflows[BOOKING_WORKFLOW_TYPE]).toBe('function');
  });
});

describe('recorded booking histories', () => {
  it('all replay against the current saga code', async () => {
    const fixtures = loadHistoryFixtures();
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      {
        workflowsPath: WORKFLOWS_PATH,
        bundlerOptions: workflowBundlerOptions,
        replayName: 'fixtures',
      },
      fixtures,
    )) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(fixtures.length);
  });
});
