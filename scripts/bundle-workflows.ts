/**
 * `npm run build:workflows [out-file]`: bundles the workflow code once (the container image
 * does this at build time), so workers start without webpack and run exactly the code that
 * was built. Point WORKFLOW_BUNDLE_PATH at the file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH, workflowBundlerOptions } from '../processes/booking-worker.js';

async function main() {
  const out = resolve(process.argv[2] ?? 'build/workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    ...workflowBundlerOptions,
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  process.stdout.write(`workflow bundle: ${out} (${(code.length / 1024).toFixed(0)} KiB)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bundling failed: ${(error as Error).message}\n`);
  process.exit(1);
});
