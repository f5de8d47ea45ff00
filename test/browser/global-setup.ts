/**
 * vitest global setup of the browser journeys: the real stack and system exactly as the
 * integration suite starts them (test/support/system-under-test.ts, reused as it is), the web
 * app built when stale and served by the real web server on a free port, and a Chromium for
 * playwright-core: CHROMIUM_PATH, else Debian's /usr/bin/chromium, installed with apt-get
 * when missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../config/logger.js';
import { ensureWebBuild } from '../../processes/web-build.js';
import { startWebServer } from '../../processes/web-server.js';
import { freePorts } from '../../stack/ports.js';
import startSystemUnderTest from '../support/system-under-test.js';

declare module 'vitest' {
  export interface ProvidedContext {
    webUrl: string;
    chromiumPath: string;
  }
}

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

function fail(message: string): never {
  throw new Error(`[browser] ${message}`);
}

/** The Chromium to drive: CHROMIUM_PATH, or Debian's, installed with apt-get when missing. */
export function ensureChromium(): string {
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    if (!existsSync(given)) fail(`CHROMIUM_PATH=${given} does not exist`);
    return given;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const aptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).stdout.trim();
  if (!aptGet) {
    fail('no Chromium: install one and set CHROMIUM_PATH (no apt-get here to install it)');
  }
  const root = process.getuid?.() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true']).status === 0;
  if (!root && !sudo) {
    fail('no Chromium: run `sudo apt-get install -y chromium`, or set CHROMIUM_PATH');
  }
  process.stdout.write(
    "[browser] installing Debian's chromium with apt-get (once, about a minute) ...\n",
  );
  const started = Date.now();
  const asRoot = (args: string[]) =>
    execFileSync(root ? args[0]! : 'sudo', root ? args.slice(1) : ['-n', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    asRoot(['apt-get', 'update', '-qq']);
    asRoot(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n').at(-1);
    fail(`apt-get install chromium failed: ${stderr ?? String(error)}; set CHROMIUM_PATH instead`);
  }
  if (!existsSync(DEBIAN_CHROMIUM))
    fail(`apt-get installed chromium but ${DEBIAN_CHROMIUM} is missing`);
  process.stdout.write(
    `[browser] chromium installed in ${((Date.now() - started) / 1000).toFixed(0)}s\n`,
  );
  return DEBIAN_CHROMIUM;
}

export default async function setup(project: TestProject) {
  const chromiumPath = ensureChromium();
  // The build and the system start side by side; the build takes a few seconds.
  const built = ensureWebBuild((line) => process.stdout.write(`[browser] ${line}\n`));
  const stopSystem = await startSystemUnderTest(project);
  try {
    await built;
    const { apiUrl } = project.getProvidedContext();
    const [port] = (await freePorts(1)) as [number];
    const web = await startWebServer({
      apiUrl,
      port,
      host: '127.0.0.1',
      log: createLogger('web', 'warn'),
    });
    process.stdout.write(`[browser] web app at ${web.url}, Chromium ${chromiumPath}\n`);
    project.provide('webUrl', web.url);
    project.provide('chromiumPath', chromiumPath);
    return async () => {
      await web.stop();
      await stopSystem();
    };
  } catch (error) {
    await stopSystem();
    throw error;
  }
}
