/**
 * Temporal as production runs it, on one machine: frontend, matching, worker and two history
 * services as separate processes on PostgreSQL (default store and SQL advanced visibility), plus
 * the Web UI. Any one service can be SIGKILLed and restarted, which the single-process dev server
 * in stack/temporal.ts cannot show.
 *
 * Each process gets its own config file because a service's ports live in the config, and the
 * two history processes differ only there. The services find each other through ringpop
 * membership, seeded from PostgreSQL's cluster_membership table, so no process is told where
 * the others are: history2 takes over history1's shards when history1 dies.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import { registerBookingSearchAttributes } from '../../temporal/search-attributes.js';
import { searchAttributes } from '../../workflows/booking-definitions.js';
import { progress, run } from '../install.js';
import {
  StackError,
  startProcess,
  waitUntilReady,
  type ManagedProcess,
} from '../managed-process.js';
import { killNow, treeMemoryKiB } from './process-tree.js';
import {
  ensureTemporalServer,
  ensureTemporalUiServer,
  type TemporalServerBinaries,
} from './temporal-server.js';

export const SERVICE_NAMES = [
  'frontend',
  'history1',
  'history2',
  'matching',
  'worker',
  'ui',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
type ServerService = Exclude<ServiceName, 'ui'>;
type Role = 'frontend' | 'history' | 'matching' | 'worker';

export const DEFAULT_DATABASE = 'temporal';
export const VISIBILITY_DATABASE = 'temporal_visibility';
/** Fixed for the life of a cluster's database; 4 shards give each history host two. */
const HISTORY_SHARDS = 4;
const SERVING = proto.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;

export interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface TemporalClusterOptions {
  postgres: PostgresEndpoint;
  /** Config files and logs; the data itself is in PostgreSQL. */
  dataDir: string;
  /** The frontend's gRPC port; the other ports follow from it (see servicePorts). */
  portBase?: number;
  uiPort?: number;
  namespace: string;
  /** Server log level: 'warn' keeps five services' logs readable. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  echo?: boolean;
}

export interface TemporalCluster {
  /** The frontend, `127.0.0.1:portBase`. */
  address: string;
  uiUrl: string;
  namespace: string;
  /** The current process of a service; a new one after each restart. */
  service(name: ServiceName): ManagedProcess;
  /** SIGKILL, as a crash or an OOM kill would. */
  kill(name: ServiceName): Promise<void>;
  /** Starts a service again with the same config and ports, killing it first if it still runs. */
  restart(name: ServiceName): Promise<void>;
  /** Total resident memory (VmRSS) of all the cluster's processes, in KiB. */
  rssKiB(): number;
  /** How long start-up took, in milliseconds, phase by phase. */
  timings: { schemaMs: number; servicesMs: number; namespaceMs: number; uiMs: number };
  stop(): Promise<void>;
}

interface ServicePorts {
  role: Role;
  grpcPort: number;
  membershipPort: number;
  /** The health-check name each service reports as SERVING once it can take requests. */
  healthName: string;
}

/**
 * Temporal's own layout shifted to portBase: frontend +0, history +1, matching +2, worker +6,
 * with the second history at +3 and every membership (ringpop) port 30 above its gRPC port;
 * the frontend's HTTP API is at +10. The default base keeps the frontend on 7233.
 */
export function servicePorts(portBase: number): Record<ServerService, ServicePorts> {
  const at = (role: Role, offset: number, health: string): ServicePorts => ({
    role,
    grpcPort: portBase + offset,
    membershipPort: portBase + offset + 30,
    healthName: `temporal.api.workflowservice.v1.${health}`,
  });
  return {
    frontend: at('frontend', 0, 'WorkflowService'),
    history1: at('history', 1, 'HistoryService'),
    matching: at('matching', 2, 'MatchingService'),
    history2: at('history', 3, 'HistoryService'),
    worker: at('worker', 6, 'WorkerService'),
  };
}

function sqlStore(pg: PostgresEndpoint, databaseName: string, maxConns: number) {
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${pg.host}:${pg.port}`,
      connectProtocol: 'tcp',
      user: pg.user,
      password: pg.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

/**
 * One process's config. `services` lists every role so each process knows the cluster's shape,
 * but only the entry for the role it runs is used for its ports; history is that process's own.
 */
function serverConfig(options: TemporalClusterOptions, portBase: number, own: ServicePorts) {
  const ports = servicePorts(portBase);
  const rpc = (p: ServicePorts) => ({
    grpcPort: p.grpcPort,
    membershipPort: p.membershipPort,
    bindOnLocalHost: true,
  });
  return {
    log: { stdout: true, level: options.logLevel ?? 'warn', format: 'json' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: {
        'postgres-default': sqlStore(options.postgres, DEFAULT_DATABASE, 10),
        'postgres-visibility': sqlStore(options.postgres, VISIBILITY_DATABASE, 5),
      },
    },
    // No pprof or metrics sections: their default ports (7936, 8000) would clash between the
    // five processes and with other local runs.
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: { rpc: { ...rpc(ports.frontend), httpPort: portBase + 10 } },
      history: { rpc: rpc(own.role === 'history' ? own : ports.history1) },
      matching: { rpc: rpc(ports.matching) },
      worker: { rpc: rpc(ports.worker) },
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${portBase}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
  };
}

/** JSON is YAML, and writing it from an object cannot produce a mis-indented file. */
function writeConfig(file: string, config: object): string {
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 }); // has the DB password
  return file;
}

/** Creates both databases and brings their schemas to this server version; safe to repeat. */
export async function setupSchemas(
  bins: TemporalServerBinaries,
  pg: PostgresEndpoint,
): Promise<void> {
  const env = {
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: pg.host,
    SQL_PORT: String(pg.port),
    SQL_USER: pg.user,
    SQL_PASSWORD: pg.password, // in the environment, not in `ps` output
  };
  const schemas = [
    { database: DEFAULT_DATABASE, dir: join(bins.postgresSchemaDir, 'temporal', 'versioned') },
    { database: VISIBILITY_DATABASE, dir: join(bins.postgresSchemaDir, 'visibility', 'versioned') },
  ];
  for (const { database, dir } of schemas) {
    const hint = `Could not set up the Temporal schema in PostgreSQL database '${database}'.`;
    const sql = (args: string[]) =>
      run(bins.sqlTool, ['--db', database, ...args], { env, failureHint: hint });
    await sql(['create-database']);
    await sql(['setup-schema', '-v', '0.0']); // only the version table; skipped once past 0.0
    await sql(['update-schema', '-d', dir]);
  }
}

async function isServing(address: string, healthName: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    const reply = await connection.healthService.check({ service: healthName });
    return reply.status === SERVING;
  } finally {
    await connection.close();
  }
}

async function isUiUp(uiUrl: string): Promise<boolean> {
  const reply = await fetch(`${uiUrl}/api/v1/settings`, { signal: AbortSignal.timeout(2000) });
  return reply.ok;
}

/** Registers the namespace (if new) and the booking search attributes on it. */
async function prepareNamespace(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService
      .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') })
      .catch((error: Error) => {
        if (!/already exists/i.test(error.message)) throw error;
      });
    await registerBookingSearchAttributes(connection, namespace);
    await waitForSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
}

/**
 * With SQL visibility, search attributes are per-namespace aliases for pre-made columns, and
 * each service sees a new alias only when its namespace cache next refreshes (every 2 s). A
 * query naming every booking attribute fails until the frontend's cache has them all, and a
 * query, unlike a test workflow, leaves nothing behind in the namespace.
 */
async function waitForSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const query = Object.values(searchAttributes)
    .map((key) => `${key.name} IS NULL`)
    .join(' AND ');
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await connection.workflowService.countWorkflowExecutions({ namespace, query });
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new StackError(
          `Temporal never accepted the booking search attributes: ${(error as Error).message}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function serverArgs(configFile: string, role: Role): string[] {
  // No authorizer is configured: everything listens on 127.0.0.1 only.
  return ['--config-file', configFile, '--allow-no-auth', 'start', '--service', role];
}

function uiConfig(address: string, uiPort: number, namespace: string) {
  return {
    temporalGrpcAddress: address,
    host: '127.0.0.1',
    port: uiPort,
    enableUi: true,
    defaultNamespace: namespace,
    // A local cluster: no news fetch or version check calling out to the internet.
    disableNewsFetch: true,
    notifyOnNewVersion: false,
    distribution: 'server',
    cors: { allowOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`] },
  };
}

export async function startTemporalCluster(
  options: TemporalClusterOptions,
): Promise<TemporalCluster> {
  const bins = await ensureTemporalServer();
  const uiServer = await ensureTemporalUiServer();
  const portBase = options.portBase ?? 7233;
  const uiPort = options.uiPort ?? 8233;
  const address = `127.0.0.1:${portBase}`;
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  const dir = options.dataDir;
  mkdirSync(join(dir, 'config', 'ui'), { recursive: true });

  progress('setting up the Temporal schemas in PostgreSQL...');
  const timings = { schemaMs: 0, servicesMs: 0, namespaceMs: 0, uiMs: 0 };
  let phaseStart = Date.now();
  const endPhase = (phase: keyof typeof timings) => {
    timings[phase] = Date.now() - phaseStart;
    phaseStart = Date.now();
  };
  await setupSchemas(bins, options.postgres);
  endPhase('schemaMs');

  const ports = servicePorts(portBase);
  const common = (name: ServiceName) => ({
    name: `temporal-${name}`,
    logFile: join(dir, `${name}.log`),
    pidFile: join(dir, `${name}.pid`),
    echo: options.echo ?? false,
  });
  const launchServer = async (name: ServerService): Promise<ManagedProcess> => {
    const own = ports[name];
    const configFile = writeConfig(
      join(dir, 'config', `${name}.yaml`),
      serverConfig(options, portBase, own),
    );
    const proc = startProcess({
      ...common(name),
      command: bins.server,
      args: serverArgs(configFile, own.role),
    });
    const serving = () => isServing(`127.0.0.1:${own.grpcPort}`, own.healthName);
    await waitUntilReady(proc, serving, 120_000);
    return proc;
  };
  const launchUi = async (): Promise<ManagedProcess> => {
    writeConfig(
      join(dir, 'config', 'ui', 'cluster.yaml'),
      uiConfig(address, uiPort, options.namespace),
    );
    const args = ['--root', dir, '--config', join('config', 'ui'), '--env', 'cluster', 'start'];
    const proc = startProcess({ ...common('ui'), command: uiServer, args });
    await waitUntilReady(proc, () => isUiUp(uiUrl), 60_000);
    return proc;
  };
  const launch = (name: ServiceName) => (name === 'ui' ? launchUi() : launchServer(name));

  const running = new Map<ServiceName, ManagedProcess>();
  const stop = async () => {
    // Front door first, so nothing new arrives while the back end drains.
    const stopping: ServiceName[][] = [
      ['ui', 'frontend'],
      ['worker', 'matching', 'history1', 'history2'],
    ];
    for (const group of stopping) {
      await Promise.all(group.map(async (name) => running.get(name)?.stop(20_000)));
    }
  };
  try {
    progress('starting Temporal: frontend, matching, worker and two history services...');
    const servers = SERVICE_NAMES.filter((name): name is ServerService => name !== 'ui');
    await Promise.all(servers.map(async (name) => running.set(name, await launchServer(name))));
    endPhase('servicesMs');
    await prepareNamespace(address, options.namespace);
    endPhase('namespaceMs');
    running.set('ui', await launchUi());
    endPhase('uiMs');
  } catch (error) {
    await Promise.all([...running.values()].map(killNow));
    throw error;
  }

  const service = (name: ServiceName) => {
    const proc = running.get(name);
    if (!proc) throw new StackError(`no Temporal service named '${name}'`);
    return proc;
  };
  return {
    address,
    uiUrl,
    namespace: options.namespace,
    service,
    kill: (name) => killNow(service(name)),
    async restart(name) {
      await killNow(service(name));
      running.set(name, await launch(name));
    },
    timings,
    rssKiB: () => [...running.values()].reduce((sum, proc) => sum + treeMemoryKiB(proc.pid), 0),
    stop,
  };
}
