/**
 * The cluster's reverse proxy: HAProxy from Debian (installed with apt-get when missing), its
 * config written to the data directory. It is the front door, as the Ingress is in k8s:
 *
 * - API (`api.port`, 3000) → the API replicas.
 * - Web (`web.port`, 5173) → `/api/*` straight to the API replicas, the rest to the web-server
 *   replicas. One hop for the API: the client's X-Forwarded-For stays the last entry the API
 *   reads, and an event stream passes one proxy, not two.
 * - Agent (`agent.port`, 8000) → the agent replicas: the address both API replicas call, as the
 *   `agent` Service is in k8s.
 * - Stats (`statsPort`): HAProxy's status page; `;csv` is what `serverStates()` reads.
 *
 * A replica that dies is out at once: the first refused connection marks it down (`observe
 * layer4`) and the request goes to the other replica (`retries` + `option redispatch`); health
 * checks every 500 ms catch the rest and bring it back. Past a refused connection, a request
 * is retried only when repeating it is safe: GET/HEAD/OPTIONS, or anything with an
 * Idempotency-Key the API de-duplicates. Server-sent events (`GET /api/events`) and the agent's
 * streams (`/api/agent/*`) get long timeouts; HAProxy never buffers a response body.
 */
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onPath, progress, requireTool, run } from '../install.js';
import {
  StackError,
  startProcess,
  waitUntilReady,
  type ManagedProcess,
} from '../managed-process.js';
import { portAccepts } from '../ports.js';
import { killNow } from './process-tree.js';

const INSTALL_HINT = 'Install it with: apt-get install haproxy';
/** How long a stream (events, agent chat or plan) may stay silent before the proxy ends it. */
const STREAM_TIMEOUT = '10m';

export interface Upstream {
  name: string;
  port: number;
}

export interface ProxiedService {
  /** Where the proxy listens for this service on 127.0.0.1. */
  port: number;
  servers: Upstream[];
}

export interface ReverseProxyOptions {
  dataDir: string;
  api: ProxiedService;
  /** The web-server replicas; without them the web port is not served. */
  web?: ProxiedService;
  /** The agent replicas; without them there is no agent address. */
  agent?: ProxiedService;
  statsPort: number;
  echo?: boolean;
}

export interface ServerState {
  backend: string;
  server: string;
  /** HAProxy's word: UP, DOWN, MAINT, or a transition such as `UP 1/2`. */
  status: string;
}

export interface ReverseProxy {
  configFile: string;
  statsUrl: string;
  readonly process: ManagedProcess;
  /** Every server of every backend as HAProxy sees it now. */
  serverStates(): Promise<ServerState[]>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Debian's package starts its own haproxy service; a policy-rc.d that says no prevents that. */
async function withoutServiceStarts(install: () => Promise<void>): Promise<void> {
  const policy = '/usr/sbin/policy-rc.d';
  const ours = !existsSync(policy);
  if (ours) {
    writeFileSync(policy, '#!/bin/sh\nexit 101\n');
    chmodSync(policy, 0o755);
  }
  try {
    await install();
  } finally {
    if (ours) rmSync(policy, { force: true });
  }
}

function findHaproxy(): string | null {
  return onPath('haproxy') ?? (existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : null);
}

export async function ensureHaproxy(): Promise<string> {
  const found = findHaproxy();
  if (found) return found;
  requireTool('apt-get', 'to install HAProxy', INSTALL_HINT);
  if (process.getuid?.() !== 0) throw new StackError(`HAProxy is not installed. ${INSTALL_HINT}`);
  progress('installing HAProxy with apt-get (first run only, under a minute)...');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const failureHint = 'Could not install HAProxy: is the Debian mirror reachable?';
  await withoutServiceStarts(async () => {
    await run('apt-get', ['update', '-q'], { env, failureHint });
    await run('apt-get', ['install', '-y', '-q', 'haproxy'], { env, failureHint });
  });
  const installed = findHaproxy();
  if (!installed) throw new StackError('apt-get installed haproxy but no haproxy binary appeared.');
  return installed;
}

const GLOBAL_AND_DEFAULTS = `global
  log stdout format raw local0
  maxconn 4096
  # A stop waits this long at most for open streams.
  hard-stop-after 5s

defaults
  mode http
  log global
  option httplog
  # Only errors, retries and redispatches are logged, not every request.
  option dontlog-normal
  option forwardfor
  # Loopback connects take microseconds; HAProxy waits min(this, 1 s) before each retry, so a
  # short one is what makes the retry after a refused connection (a dead replica) quick.
  timeout connect 250ms
  # Long for streams; idle clients are still bounded by the two timeouts after it.
  timeout client ${STREAM_TIMEOUT}
  timeout http-request 10s
  timeout http-keep-alive 10s
  timeout server 60s
  timeout queue 5s
  timeout check 1s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response junk-response response-timeout
  # Down on the first refused connection or after two failed checks 500 ms apart; up again
  # after two good ones.
  default-server inter 500ms fastinter 250ms downinter 1s rise 2 fall 2 observe layer4 error-limit 1 on-error mark-down
`;

/** Retries past a refused connection only where repeating the request is harmless. */
const SAFE_RETRIES_ONLY =
  '  http-request disable-l7-retry if !{ method GET HEAD OPTIONS } !{ req.hdr(idempotency-key) -m found }';

function backend(name: string, healthPath: string, servers: Upstream[], extra: string[] = []) {
  return [
    `backend ${name}`,
    '  balance leastconn', // streams are long-lived: count them, not requests
    '  option httpchk',
    `  http-check send meth GET uri ${healthPath}`,
    '  http-check expect status 200',
    SAFE_RETRIES_ONLY,
    ...extra,
    ...servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check`),
    '',
  ].join('\n');
}

function frontend(name: string, port: number, lines: string[]) {
  return [`frontend ${name}`, `  bind 127.0.0.1:${port}`, ...lines, ''].join('\n');
}

export function haproxyConfig(options: ReverseProxyOptions): string {
  const { api, web, agent } = options;
  const streams = `{ path /api/events } || { path_beg /api/agent/ }`;
  const sections = [
    GLOBAL_AND_DEFAULTS,
    frontend('api', api.port, ['  default_backend api']),
    backend('api', '/health', api.servers, [
      `  http-request set-timeout server ${STREAM_TIMEOUT} if ${streams}`,
      '  option http-no-delay', // events go out as they come, not coalesced
    ]),
  ];
  if (web) {
    sections.push(
      frontend('web', web.port, [
        '  use_backend api if { path_beg /api/ }',
        '  default_backend web',
      ]),
      backend('web', '/', web.servers),
    );
  }
  if (agent) {
    sections.push(
      frontend('agent', agent.port, ['  default_backend agent']),
      backend('agent', '/health', agent.servers, [`  timeout server ${STREAM_TIMEOUT}`]),
    );
  }
  sections.push(frontend('stats', options.statsPort, ['  stats enable', '  stats uri /']));
  return sections.join('\n');
}

/** The servers' states from the stats page's CSV (`# pxname,svname,...,status,...`). */
async function readServerStates(statsUrl: string): Promise<ServerState[]> {
  const reply = await fetch(`${statsUrl}/;csv`, { signal: AbortSignal.timeout(2_000) });
  const [header = '', ...rows] = (await reply.text()).trim().split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const at = (row: string[], column: string) => row[columns.indexOf(column)] ?? '';
  return rows
    .map((line) => line.split(','))
    .filter((row) => !['FRONTEND', 'BACKEND'].includes(at(row, 'svname')))
    .filter((row) => at(row, 'pxname') !== 'stats')
    .map((row) => ({
      backend: at(row, 'pxname'),
      server: at(row, 'svname'),
      status: at(row, 'status'),
    }));
}

async function allServersUp(statsUrl: string): Promise<boolean> {
  const states = await readServerStates(statsUrl);
  return states.length > 0 && states.every((s) => s.status === 'UP');
}

async function checkConfig(binary: string, configFile: string): Promise<void> {
  await run(binary, ['-c', '-q', '-f', configFile], {
    failureHint: `HAProxy rejected its config ${configFile}.`,
  });
}

export async function startReverseProxy(options: ReverseProxyOptions): Promise<ReverseProxy> {
  const binary = await ensureHaproxy();
  const configFile = join(options.dataDir, 'haproxy.cfg');
  writeFileSync(configFile, haproxyConfig(options));
  await checkConfig(binary, configFile);
  const statsUrl = `http://127.0.0.1:${options.statsPort}`;
  const launch = async (): Promise<ManagedProcess> => {
    const proc = startProcess({
      name: 'haproxy',
      command: binary,
      args: ['-db', '-f', configFile], // -db: in the foreground, so the pid we hold is HAProxy
      logFile: join(options.dataDir, 'haproxy.log'),
      pidFile: join(options.dataDir, 'haproxy.pid'),
      echo: options.echo ?? false,
    });
    await waitUntilReady(proc, () => portAccepts(options.statsPort), 10_000);
    await waitUntilReady(proc, () => allServersUp(statsUrl), 30_000);
    return proc;
  };
  let current = await launch();
  return {
    configFile,
    statsUrl,
    get process() {
      return current;
    },
    serverStates: () => readServerStates(statsUrl),
    kill: () => killNow(current),
    async restart() {
      await killNow(current);
      current = await launch();
    },
    stop: () => current.stop(5_000),
  };
}
