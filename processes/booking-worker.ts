/** The Temporal worker: runs booking sagas and their activities on the booking task queue. */
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';

type BundleOptions = NonNullable<WorkerOptions['bundlerOptions']>;
import { createBookingActivities } from '../activities/booking-activities.js';
import type { RunningComponent, SystemContext } from './system-context.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export const workflowBundlerOptions: BundleOptions = {
  // Our sources import `./x.js` that exist as `./x.ts` (NodeNext style).
  webpackConfigHook: (config) => ({
    ...config,
    resolve: { ...config.resolve, extensionAlias: { '.js': ['.ts', '.js'] } },
  }),
};

export async function startBookingWorker(ctx: SystemContext): Promise<RunningComponent> {
  const log = ctx.log.child('worker');
  const connection = await NativeConnection.connect({ address: ctx.config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: ctx.config.TEMPORAL_NAMESPACE,
    taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
    ...(ctx.config.WORKFLOW_BUNDLE_PATH
      ? { workflowBundle: { codePath: ctx.config.WORKFLOW_BUNDLE_PATH } }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: workflowBundlerOptions }),
    activities: createBookingActivities({
      publisher: ctx.publisher,
      notifications: ctx.notifications,
    }),
    ...(ctx.workerInterceptors ? { interceptors: ctx.workerInterceptors } : {}),
  });
  const running = worker.run();
  running.catch((error: unknown) => log.error('worker stopped with an error', { error }));
  log.info('polling', { taskQueue: ctx.config.TEMPORAL_TASK_QUEUE });
  return {
    name: 'worker',
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
