/**
 * The whole system on the production topology, on loopback (`npm run start:cluster`):
 *
 *   PostgreSQL ─┬─ Temporal: frontend, matching, worker, history1, history2, UI
 *               └─ FerretDB on PostgreSQL (the Mongo wire)
 *   Kafka: controller + broker1-3 (RF 3, min ISR 2)   Mailpit   the agent's model server
 *   then two of each StaySaga process (api, agent, worker, bridge, notifier) and two web servers
 *   then HAProxy in front of the API, web and agent replicas.
 *
 * Everything not waiting on something else starts at once. Every node has a name (`postgres`,
 * `broker2`, `history1`, `frontend`, `temporal-worker`, `api1`, `bridge2`, `proxy`, ...) and can be
 * SIGKILLed and restarted by it, which is what the fault tests need.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWebBuild } from '../../processes/web-build.js';
import { cacheDir, progress, run } from '../install.js';
import {
  agentEnabledFromEnv,
  localModelFromEnv,
  modelThreadsFromEnv,
  startModelServer,
  type ModelServer,
} from '../llm.js';
import { startMailServer, type MailServer } from '../mail.js';
import { StackError, type ManagedProcess } from '../managed-process.js';
import { startFerretDbOnPostgres, type FerretDbOnPostgres } from './ferretdb-postgres.js';
import { BROKER_NAMES, startKafkaCluster, type KafkaCluster } from './kafka-cluster.js';
import { startPostgres, type PostgresServer } from './postgres.js';
import { killNow, treeMemoryKiB } from './process-tree.js';
import {
  REPLICA_KINDS,
  REPLICAS_PER_KIND,
  REPO_ROOT,
  replicaSpec,
  startReplica,
  STATS_PORT_OFFSET,
  type Replica,
  type ReplicaKind,
  type SharedEndpoints,
} from './replicas.js';
import { startReverseProxy, type ProxiedService, type ReverseProxy } from './reverse-proxy.js';
import {
  SERVICE_NAMES,
  startTemporalCluster,
  type ServiceName,
  type TemporalCluster,
} from './temporal-cluster.js';

export interface ClusterPorts {
  /** The proxy's addresses: API, web app, and the agent address the API replicas call. */
  api: number;
  web: number;
  agent: number;
  /** First port of the replicas' own range (stack/cluster/replicas.ts). */
  replicas: number;
  /** The Temporal frontend; the other services follow it (temporal-cluster.ts servicePorts). */
  temporal: number;
  temporalUi: number;
  /** broker1; broker2 and broker3 take the next two, the controller the one after. */
  kafka: number;
  postgres: number;
  mongo: number;
  smtp: number;
  mailWeb: number;
  llm: number;
}

export const DEFAULT_CLUSTER_PORTS: ClusterPorts = {
  api: 3000,
  web: 5173,
  agent: 8000,
  replicas: 3100,
  temporal: 7233,
  temporalUi: 8233,
  kafka: 9092,
  postgres: 5432,
  mongo: 27017,
  smtp: 1025,
  mailWeb: 8025,
  llm: 11434,
};

const PORT_VARIABLES: Record<keyof ClusterPorts, string> = {
  api: 'STAYSAGA_CLUSTER_API_PORT',
  web: 'STAYSAGA_CLUSTER_WEB_PORT',
  agent: 'STAYSAGA_CLUSTER_AGENT_PORT',
  replicas: 'STAYSAGA_CLUSTER_REPLICA_PORT_BASE',
  temporal: 'STAYSAGA_CLUSTER_TEMPORAL_PORT',
  temporalUi: 'STAYSAGA_CLUSTER_TEMPORAL_UI_PORT',
  kafka: 'STAYSAGA_CLUSTER_KAFKA_PORT',
  postgres: 'STAYSAGA_CLUSTER_POSTGRES_PORT',
  mongo: 'STAYSAGA_CLUSTER_MONGO_PORT',
  smtp: 'STAYSAGA_CLUSTER_SMTP_PORT',
  mailWeb: 'STAYSAGA_CLUSTER_MAIL_WEB_PORT',
  llm: 'STAYSAGA_CLUSTER_LLM_PORT',
};

function parsePort(variable: string, value: string, min = 1): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < min || port > 65535) {
    throw new StackError(`${variable}=${value} is not a TCP port`);
  }
  return port;
}

/**
 * The usual ports, all shifted by STAYSAGA_CLUSTER_PORT_OFFSET (one variable moves the whole
 * cluster off the embedded stack's ports), each overridable by its STAYSAGA_CLUSTER_*_PORT.
 */
export function clusterPortsFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterPorts {
  const offsetText = env.STAYSAGA_CLUSTER_PORT_OFFSET || '0';
  const offset = parsePort('STAYSAGA_CLUSTER_PORT_OFFSET', offsetText, 0);
  const ports = { ...DEFAULT_CLUSTER_PORTS };
  for (const key of Object.keys(ports) as (keyof ClusterPorts)[]) {
    const variable = PORT_VARIABLES[key];
    const given = env[variable];
    ports[key] = given ? parsePort(variable, given) : parsePort(variable, `${ports[key] + offset}`);
  }
  return ports;
}

/**
 * Root runs PostgreSQL as an unprivileged user, which cannot enter /root/.cache: a root run
 * keeps its data in /var/lib/staysaga instead. STAYSAGA_CLUSTER_DATA_DIR overrides both.
 */
export function defaultClusterDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STAYSAGA_CLUSTER_DATA_DIR) return env.STAYSAGA_CLUSTER_DATA_DIR;
  if (process.getuid?.() === 0) return '/var/lib/staysaga/cluster';
  return join(cacheDir(), 'cluster');
}

export interface ClusterOptions {
  dataDir?: string;
  /** Default: clusterPortsFromEnv(env). */
  ports?: Partial<ClusterPorts>;
  /** Echo every node's output with a [name] prefix; default: only their log files. */
  echo?: boolean;
  /** The model server and the two agents; default: unless STAYSAGA_AGENT=off in env. */
  agent?: boolean;
  /** The two web servers; default: unless STAYSAGA_WEB=off in env. */
  web?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface ClusterNode {
  name: string;
  /** The node's current process (a new one after restart). */
  readonly pid: number;
  /** SIGKILL, as a crash or an OOM kill would. */
  kill(): Promise<void>;
  /** Starts it again on its own data and ports, until ready; kills it first if it still runs. */
  restart(): Promise<void>;
}

export interface ClusterAddresses {
  api: string;
  /** Null when the web app is not served (see `webProblem`). */
  web: string | null;
  /** The proxy's agent address; null when the agent is off. */
  agent: string | null;
  temporal: string;
  temporalUi: string;
  namespace: string;
  kafka: string;
  mongo: string;
  postgres: string;
  smtp: string;
  mailbox: string;
  llm: string | null;
  proxyStats: string;
}

export interface NodeMemory {
  name: string;
  rssKiB: number;
  privateKiB: number;
}

export interface Cluster {
  addresses: ClusterAddresses;
  nodes: Record<string, ClusterNode>;
  node(name: string): ClusterNode;
  kill(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  proxy: ReverseProxy;
  /**
   * Every node's process tree (PostgreSQL's backends included) and this process: VmRSS, which
   * counts shared pages (PostgreSQL's shared buffers) once per process, and private (RssAnon).
   */
  memory(): NodeMemory[];
  /** Milliseconds each start-up phase took. */
  timings: Record<string, number>;
  /** Why the web app is not served, or null. */
  webProblem: string | null;
  dataDir: string;
  stop(): Promise<void>;
}

/** Stopped from the last layer down: proxy, front replicas, back replicas, servers, PostgreSQL. */
const LAYERS = { postgres: 0, servers: 1, back: 2, front: 3, proxy: 4 } as const;
type Layer = keyof typeof LAYERS;

/** What has started so far, so a failed start or stop() can take exactly that down. */
class Started {
  readonly nodes: Record<string, ClusterNode> = {};
  readonly timings: Record<string, number> = {};
  private readonly stops: (() => Promise<void>)[][] = Object.values(LAYERS).map(() => []);

  add(layer: Layer, node: ClusterNode, stop: () => Promise<void>): void {
    this.nodes[node.name] = node;
    this.stops[LAYERS[layer]]!.push(stop);
  }

  addStop(layer: Layer, stop: () => Promise<void>): void {
    this.stops[LAYERS[layer]]!.push(stop);
  }

  async timed<T>(phase: string, work: Promise<T>): Promise<T> {
    const started = Date.now();
    const result = await work;
    this.timings[phase] = Date.now() - started;
    return result;
  }

  async stopAll(): Promise<void> {
    for (const layer of [...this.stops].reverse()) {
      const results = await Promise.allSettled(layer.splice(0).map((stop) => stop()));
      for (const r of results) {
        if (r.status === 'rejected') progress(`stop failed: ${String(r.reason)}`);
      }
    }
  }
}

/** Waits for every start, then fails with the first error: nothing is left half-tracked. */
async function settleAll<T extends readonly unknown[]>(work: {
  [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** A node that only comes back by starting it anew (FerretDB, Mailpit): the same start again. */
function respawnable<T extends { process: ManagedProcess }>(
  name: string,
  first: T,
  start: () => Promise<T>,
): ClusterNode & { stop(): Promise<void> } {
  let current = first;
  return {
    name,
    get pid() {
      return current.process.pid;
    },
    kill: () => killNow(current.process),
    async restart() {
      await killNow(current.process);
      current = await start();
    },
    stop: () => current.process.stop(),
  };
}

/** The PostgreSQL password, made up once per data directory (initdb keeps the first one). */
function postgresPassword(dataDir: string): string {
  const file = join(dataDir, 'postgres-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

interface Context {
  dataDir: string;
  ports: ClusterPorts;
  echo: boolean;
  env: NodeJS.ProcessEnv;
  namespace: string;
  started: Started;
}

async function startPostgresNode(ctx: Context): Promise<PostgresServer> {
  const pg = await ctx.started.timed(
    'postgres',
    startPostgres({
      dataDir: join(ctx.dataDir, 'postgres'),
      port: ctx.ports.postgres,
      user: 'staysaga',
      password: postgresPassword(ctx.dataDir),
      echo: ctx.echo,
    }),
  );
  const node = {
    name: 'postgres',
    get pid() {
      return pg.process.pid;
    },
    kill: () => pg.kill(),
    restart: () => pg.restart(),
  };
  ctx.started.add('postgres', node, () => pg.stop());
  return pg;
}

/** Temporal's worker and UI are named apart from StaySaga's worker1/worker2. */
const temporalNodeName = (service: ServiceName) =>
  service === 'worker' ? 'temporal-worker' : service === 'ui' ? 'temporal-ui' : service;

async function startTemporalNodes(ctx: Context, pg: PostgresServer): Promise<TemporalCluster> {
  const temporal = await ctx.started.timed(
    'temporal',
    startTemporalCluster({
      postgres: pg,
      dataDir: join(ctx.dataDir, 'temporal'),
      portBase: ctx.ports.temporal,
      uiPort: ctx.ports.temporalUi,
      namespace: ctx.namespace,
      echo: ctx.echo,
    }),
  );
  ctx.started.addStop('servers', () => temporal.stop());
  for (const service of SERVICE_NAMES) {
    ctx.started.nodes[temporalNodeName(service)] = {
      name: temporalNodeName(service),
      get pid() {
        return temporal.service(service).pid;
      },
      kill: () => temporal.kill(service),
      restart: () => temporal.restart(service),
    };
  }
  return temporal;
}

async function startMongoNode(ctx: Context, pg: PostgresServer): Promise<FerretDbOnPostgres> {
  const mongo = await ctx.started.timed(
    'ferretdb',
    startFerretDbOnPostgres({
      dataDir: ctx.dataDir,
      port: ctx.ports.mongo,
      postgres: pg,
      mongoDatabase: 'staysaga',
      echo: ctx.echo,
    }),
  );
  const node = {
    name: 'ferretdb',
    get pid() {
      return mongo.process.pid;
    },
    kill: () => mongo.kill(),
    restart: () => mongo.restart(),
  };
  ctx.started.add('servers', node, () => mongo.stop());
  return mongo;
}

async function startKafkaNodes(ctx: Context): Promise<KafkaCluster> {
  const { env } = ctx;
  const kafka = await ctx.started.timed(
    'kafka',
    startKafkaCluster({
      dataDir: ctx.dataDir,
      bootstrapPort: ctx.ports.kafka,
      echo: ctx.echo,
      topics: {
        requests: env.KAFKA_REQUEST_TOPIC || 'booking-requests',
        updates: env.KAFKA_RESPONSE_TOPIC || 'booking-updates',
        liveEvents: env.KAFKA_LIVE_EVENTS_TOPIC || 'user-events',
      },
    }),
  );
  ctx.started.addStop('servers', () => kafka.stop());
  for (const name of ['controller', ...BROKER_NAMES] as const) {
    ctx.started.nodes[name] = {
      name,
      get pid() {
        return kafka.nodes[name].process.pid;
      },
      kill: () => kafka.kill(name),
      restart: () => kafka.restart(name),
    };
  }
  return kafka;
}

async function startMailNode(ctx: Context): Promise<MailServer> {
  const start = () =>
    startMailServer({
      dataDir: ctx.dataDir,
      smtpPort: ctx.ports.smtp,
      httpPort: ctx.ports.mailWeb,
      echo: ctx.echo,
    });
  const mail = await ctx.started.timed('mail', start());
  const node = respawnable('mail', mail, start);
  ctx.started.add('servers', node, () => node.stop());
  return mail;
}

interface ModelEndpoint {
  url: string;
  model: string;
  server: ModelServer | null;
}

/** The model server, or null when the agent is off; an AGENT_LLM_URL in env is used as is. */
async function startModelNode(ctx: Context, agent: boolean): Promise<ModelEndpoint | null> {
  if (!agent) return null;
  if (ctx.env.AGENT_LLM_URL) {
    const model = ctx.env.AGENT_LLM_MODEL ?? localModelFromEnv(ctx.env).name;
    return { url: ctx.env.AGENT_LLM_URL, model, server: null };
  }
  const server = await ctx.started.timed(
    'llm',
    startModelServer({
      dataDir: ctx.dataDir,
      port: ctx.ports.llm,
      echo: ctx.echo,
      model: localModelFromEnv(ctx.env),
      threads: modelThreadsFromEnv(ctx.env),
    }),
  );
  const node = {
    name: 'llm',
    get pid() {
      return server.process.pid;
    },
    kill: () => server.kill(),
    restart: async () => {
      await server.kill();
      await server.start();
    },
  };
  ctx.started.add('servers', node, () => server.stop());
  return { url: server.url, model: server.model, server };
}

/** The workflow code, bundled once for both workers (each would otherwise run webpack). */
async function bundleWorkflows(ctx: Context): Promise<string> {
  const out = join(ctx.dataDir, 'workflow-bundle.js');
  const args = ['--import', 'tsx', 'scripts/bundle-workflows.ts', out];
  await ctx.started.timed(
    'workflow-bundle',
    run(process.execPath, args, {
      cwd: REPO_ROOT,
      failureHint: 'Could not bundle the workflow code for the workers.',
    }),
  );
  return out;
}

/** Builds web/dist when needed; never fatal: resolves to why there is no web app, or null. */
async function prepareWeb(ctx: Context, web: boolean): Promise<string | null> {
  if (!web) return 'STAYSAGA_WEB=off';
  try {
    await ctx.started.timed('web-build', ensureWebBuild(progress));
    return null;
  } catch (error) {
    return `not built: ${error instanceof Error ? error.message : String(error)}`;
  }
}

interface SqlServers {
  pg: PostgresServer;
  temporal: TemporalCluster;
  mongo: FerretDbOnPostgres;
}

interface Infrastructure extends SqlServers {
  kafka: KafkaCluster;
  mail: MailServer;
  model: ModelEndpoint | null;
  /** The workflow bundle's path. */
  bundle: string;
  webProblem: string | null;
}

async function startInfrastructure(
  ctx: Context,
  agent: boolean,
  web: boolean,
): Promise<Infrastructure> {
  const pgAndDependents = async (): Promise<SqlServers> => {
    const pg = await startPostgresNode(ctx);
    const [temporal, mongo] = await settleAll<[TemporalCluster, FerretDbOnPostgres]>([
      startTemporalNodes(ctx, pg),
      startMongoNode(ctx, pg),
    ]);
    return { pg, temporal, mongo };
  };
  const andModel = agent ? ' and the model server' : '';
  progress(`starting PostgreSQL (then Temporal and FerretDB), Kafka, Mailpit${andModel}...`);
  const [sql, kafka, mail, model, bundle, webProblem] = await settleAll<
    [SqlServers, KafkaCluster, MailServer, ModelEndpoint | null, string, string | null]
  >([
    pgAndDependents(),
    startKafkaNodes(ctx),
    startMailNode(ctx),
    startModelNode(ctx, agent),
    bundleWorkflows(ctx),
    prepareWeb(ctx, web),
  ]);
  return { ...sql, kafka, mail, model, bundle, webProblem };
}

function sharedEndpoints(ctx: Context, infra: Infrastructure): SharedEndpoints {
  const { model } = infra;
  return {
    temporalAddress: infra.temporal.address,
    temporalNamespace: ctx.namespace,
    kafkaBrokers: infra.kafka.bootstrapServers,
    mongoUri: infra.mongo.uri,
    smtpUrl: infra.mail.smtpUrl,
    webAppUrl: `http://127.0.0.1:${ctx.ports.web}`,
    apiUrl: `http://127.0.0.1:${ctx.ports.api}`,
    workflowBundle: infra.bundle,
    ...(model
      ? {
          agent: {
            url: `http://127.0.0.1:${ctx.ports.agent}`,
            // One key for the life of this cluster: the API replicas show it, the agents check it.
            apiKey: randomBytes(32).toString('base64url'),
            llmUrl: model.url,
            llmModel: model.model,
          },
        }
      : {}),
  };
}

/** All replicas at once: none needs another to start (the API reaches the agent per request). */
async function startReplicas(
  ctx: Context,
  shared: SharedEndpoints,
  kinds: ReplicaKind[],
): Promise<Replica[]> {
  progress(`starting two of each: ${kinds.join(', ')}...`);
  const logDir = join(ctx.dataDir, 'staysaga');
  const starting = kinds.flatMap((kind) =>
    Array.from({ length: REPLICAS_PER_KIND }, async (_, i) => {
      const spec = replicaSpec(kind, i + 1, ctx.ports.replicas, shared);
      const replica = await startReplica(spec, logDir, ctx.echo);
      const layer = ['api', 'agent', 'web'].includes(kind) ? 'front' : 'back';
      ctx.started.add(layer, nodeOfReplica(replica), () => replica.stop());
      return replica;
    }),
  );
  return ctx.started.timed('replicas', settleAll<Replica[]>(starting));
}

function nodeOfReplica(replica: Replica): ClusterNode {
  return {
    name: replica.name,
    get pid() {
      return replica.process.pid;
    },
    kill: () => replica.kill(),
    restart: () => replica.restart(),
  };
}

async function startProxyNode(ctx: Context, replicas: Replica[]): Promise<ReverseProxy> {
  const service = (kind: ReplicaKind, port: number): ProxiedService | undefined => {
    const servers = replicas.filter((r) => r.kind === kind);
    return servers.length > 0 ? { port, servers } : undefined;
  };
  const proxyDir = join(ctx.dataDir, 'proxy');
  mkdirSync(proxyDir, { recursive: true });
  const proxy = await ctx.started.timed(
    'proxy',
    startReverseProxy({
      dataDir: proxyDir,
      api: service('api', ctx.ports.api)!,
      web: service('web', ctx.ports.web),
      agent: service('agent', ctx.ports.agent),
      statsPort: ctx.ports.replicas + STATS_PORT_OFFSET,
      echo: ctx.echo,
    }),
  );
  const node = {
    name: 'proxy',
    get pid() {
      return proxy.process.pid;
    },
    kill: () => proxy.kill(),
    restart: () => proxy.restart(),
  };
  ctx.started.add('proxy', node, () => proxy.stop());
  return proxy;
}

function addresses(ctx: Context, infra: Infrastructure, proxy: ReverseProxy, web: boolean) {
  const local = (port: number) => `http://127.0.0.1:${port}`;
  return {
    api: local(ctx.ports.api),
    web: web ? local(ctx.ports.web) : null,
    agent: infra.model ? local(ctx.ports.agent) : null,
    temporal: infra.temporal.address,
    temporalUi: infra.temporal.uiUrl,
    namespace: ctx.namespace,
    kafka: infra.kafka.bootstrapServers,
    mongo: infra.mongo.uri,
    postgres: `127.0.0.1:${infra.pg.port}`,
    smtp: infra.mail.smtpUrl,
    mailbox: infra.mail.webUrl,
    llm: infra.model?.url ?? null,
    proxyStats: proxy.statsUrl,
  };
}

/** This process alone: treeMemoryKiB would add every node, as they are its children. */
function ownMemoryKiB(field: 'VmRSS' | 'RssAnon'): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
}

function clusterHandle(
  ctx: Context,
  parts: { addresses: ClusterAddresses; proxy: ReverseProxy; webProblem: string | null },
): Cluster {
  const { nodes, timings } = ctx.started;
  const node = (name: string) => {
    const found = nodes[name];
    if (!found)
      throw new StackError(`no cluster node '${name}'; there are ${Object.keys(nodes).join(', ')}`);
    return found;
  };
  return {
    ...parts,
    nodes,
    node,
    kill: (name) => node(name).kill(),
    restart: (name) => node(name).restart(),
    memory: () => [
      ...Object.values(nodes).map((n) => ({
        name: n.name,
        rssKiB: treeMemoryKiB(n.pid),
        privateKiB: treeMemoryKiB(n.pid, 'RssAnon'),
      })),
      { name: 'launcher', rssKiB: ownMemoryKiB('VmRSS'), privateKiB: ownMemoryKiB('RssAnon') },
    ],
    timings,
    dataDir: ctx.dataDir,
    stop: () => ctx.started.stopAll(),
  };
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const env = options.env ?? process.env;
  const ctx: Context = {
    dataDir: options.dataDir ?? defaultClusterDataDir(env),
    ports: { ...clusterPortsFromEnv(env), ...options.ports },
    echo: options.echo ?? false,
    env,
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    started: new Started(),
  };
  const agent = options.agent ?? agentEnabledFromEnv(env);
  mkdirSync(ctx.dataDir, { recursive: true });
  const began = Date.now();
  try {
    const infra = await startInfrastructure(ctx, agent, options.web ?? env.STAYSAGA_WEB !== 'off');
    const kinds = REPLICA_KINDS.filter(
      (kind) => (kind !== 'agent' || infra.model) && (kind !== 'web' || !infra.webProblem),
    );
    const replicas = await startReplicas(ctx, sharedEndpoints(ctx, infra), kinds);
    const proxy = await startProxyNode(ctx, replicas);
    ctx.started.timings.total = Date.now() - began;
    const web = !infra.webProblem;
    const found = addresses(ctx, infra, proxy, web);
    return clusterHandle(ctx, { addresses: found, proxy, webProblem: infra.webProblem });
  } catch (error) {
    await ctx.started.stopAll();
    throw error;
  }
}
