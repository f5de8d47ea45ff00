/**
 * Schemathesis, the peer tool that fuzzes the API from its published OpenAPI document, installed
 * like the stack: pinned, into the cache, once (`pip --target`, so the install can be built in
 * a temporary directory and renamed into place).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedInstall, cacheDir, pipInstall } from './install.js';
import type { ToolCommand } from './deploy-validators.js';

const REQUIREMENTS = fileURLToPath(new URL('./api-fuzzer.txt', import.meta.url));
export const SCHEMATHESIS_VERSION = '4.32.5';

export async function ensureSchemathesis(): Promise<ToolCommand> {
  const site = join(cacheDir(), `schemathesis-${SCHEMATHESIS_VERSION}`);
  await cachedInstall(site, `Schemathesis ${SCHEMATHESIS_VERSION} (PyPI)`, (tmp) =>
    pipInstall(REQUIREMENTS, tmp, 'to fuzz the API from its OpenAPI document'),
  );
  // The CLI's own entry point, run by whichever python3 is on PATH (not the one pip wrote into
  // the `st` script's shebang when the cache was filled).
  return {
    command: 'python3',
    args: ['-c', 'import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())'],
    env: { PYTHONPATH: site },
  };
}
