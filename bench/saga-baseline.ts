/**
 * The baseline scenario: the same-shaped saga with do-nothing activities on its own task queue,
 * started with update-with-start (answered once its first activities are done, like the booking
 * request) and decided with a signal sent straight from the Temporal client.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { workflowBundlerOptions } from '../processes/booking-worker.js';
import { baselineActivities } from './baseline-workflows/activities.js';
import {
  baselineDecisionSignal,
  baselineHeldUpdate,
  type baselineSagaWorkflow,
} from './baseline-workflows/index.js';
import type { SagaSample } from './harness.js';

export const BASELINE_TASK_QUEUE = 'bench-baseline';
export const BASELINE_WORKFLOWS_PATH = fileURLToPath(
  new URL('./baseline-workflows/index.ts', import.meta.url),
);
const DEADLINE_MS = 60 * 60 * 1000;

export interface BaselineWorker {
  stop(): Promise<void>;
}

/** An in-process worker for the baseline workflow, polling its own task queue. */
export async function startBaselineWorker(options: {
  temporalAddress: string;
  namespace?: string;
  taskQueue?: string;
}): Promise<BaselineWorker> {
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? BASELINE_TASK_QUEUE,
    workflowsPath: BASELINE_WORKFLOWS_PATH,
    bundlerOptions: workflowBundlerOptions,
    activities: baselineActivities,
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export interface BaselineSaga {
  workflowId: string;
  sample: SagaSample;
}

/** One baseline saga: start until first activities done, signal until completed. */
export async function runBaselineSaga(
  client: Client,
  options: { taskQueue?: string; workflowIdPrefix?: string } = {},
): Promise<BaselineSaga> {
  const workflowId = `${options.workflowIdPrefix ?? 'bench-baseline'}-${randomUUID()}`;
  const t0 = performance.now();
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof baselineSagaWorkflow>(
    'baselineSagaWorkflow',
    {
      workflowId,
      taskQueue: options.taskQueue ?? BASELINE_TASK_QUEUE,
      args: [{ id: workflowId, deadlineMs: DEADLINE_MS }],
      workflowIdConflictPolicy: 'FAIL',
    },
  );
  const held = await client.workflow.executeUpdateWithStart(baselineHeldUpdate, {
    startWorkflowOperation,
  });
  const t1 = performance.now();
  if (held !== 'PENDING') throw new Error(`baseline saga answered ${String(held)}`);
  const handle = await startWorkflowOperation.workflowHandle();
  const t2 = performance.now();
  await handle.signal(baselineDecisionSignal, { status: 'ACCEPTED' });
  const status = await handle.result();
  const t3 = performance.now();
  if (status !== 'ACCEPTED') throw new Error(`baseline saga ended ${status}`);
  return {
    workflowId,
    sample: { requestToPendingMs: t1 - t0, decisionToDoneMs: t3 - t2, endToEndMs: t3 - t0 },
  };
}

/** Event count of a workflow's history. */
export async function historyLength(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return history.events?.length ?? 0;
}
