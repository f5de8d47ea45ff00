/**
 * The StaySaga processes of the cluster: two of each component (`tsx processes/main.ts
 * <component>`, as a container runs it) and two web servers (stack/cluster/web-replica.ts),
 * each a Node process of its own on its own port, ready once its health endpoint answers 200.
 *
 * Replica ports are `base + offset + index`: API 0-1, agent 10-11, worker 20-21, bridge 30-31,
 * notifier 40-41, web 50-51 (the proxy's status page takes 60).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startProcess, waitUntilReady, type ManagedProcess } from '../managed-process.js';
import { killNow } from './process-tree.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const REPLICA_KINDS = ['api', 'agent', 'worker', 'bridge', 'notifier', 'web'] as const;
export type ReplicaKind = (typeof REPLICA_KINDS)[number];
export const REPLICAS_PER_KIND = 2;
const PORT_OFFSETS: Record<ReplicaKind, number> = {
  api: 0,
  agent: 10,
  worker: 20,
  bridge: 30,
  notifier: 40,
  web: 50,
};
export const STATS_PORT_OFFSET = 60;
/** Ten Node processes compiling TypeScript at once on two cores take a while. */
const READY_TIMEOUT_MS = 240_000;

/** `index` counts from 1, as the names do (api1, api2). */
export function replicaPort(base: number, kind: ReplicaKind, index: number): number {
  return base + PORT_OFFSETS[kind] + index - 1;
}

/** Where the cluster's services are, the same for every replica. */
export interface SharedEndpoints {
  temporalAddress: string;
  temporalNamespace: string;
  kafkaBrokers: string;
  mongoUri: string;
  smtpUrl: string;
  webAppUrl: string;
  /** The proxy's API address, for the web servers' own /api. */
  apiUrl: string;
  /** The prebuilt workflow code the workers load (no webpack at each worker's start). */
  workflowBundle: string;
  /** Absent when the agent is off: the API then answers 503 for the trip planner. */
  agent?: { url: string; apiKey: string; llmUrl: string; llmModel: string };
}

export interface ReplicaSpec {
  name: string;
  kind: ReplicaKind;
  args: string[];
  env: Record<string, string>;
  healthUrl: string;
}

export interface Replica {
  name: string;
  kind: ReplicaKind;
  port: number;
  readonly process: ManagedProcess;
  /** SIGKILL to the process and its children, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again with the same settings and port, killing it first if it still runs. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The settings every component process shares; production's configmap, in effect. */
function sharedEnv(shared: SharedEndpoints): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    TEMPORAL_ADDRESS: shared.temporalAddress,
    TEMPORAL_NAMESPACE: shared.temporalNamespace,
    KAFKA_BROKERS: shared.kafkaBrokers,
    // The cluster made the topics with three copies; as in k8s, processes do not create them.
    KAFKA_TOPIC_REPLICATION_FACTOR: '3',
    KAFKA_ENSURE_TOPICS: 'false',
    MONGODB_URI: shared.mongoUri,
    SMTP_URL: shared.smtpUrl,
    WEB_APP_URL: shared.webAppUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...(shared.agent
      ? {
          AGENT_URL: shared.agent.url,
          AGENT_API_KEY: shared.agent.apiKey,
          AGENT_LLM_URL: shared.agent.llmUrl,
          AGENT_LLM_MODEL: shared.agent.llmModel,
        }
      : {}),
  };
}

/** Each component's own port: the API's, the agent's, or the health server's of the others. */
function ownEnv(kind: ReplicaKind, port: number, shared: SharedEndpoints): Record<string, string> {
  switch (kind) {
    case 'api':
      return { PORT: String(port) };
    // The agent answers /health itself; HEALTH_PORT=0 puts its spare health server anywhere.
    case 'agent':
      return { AGENT_PORT: String(port), HEALTH_PORT: '0' };
    case 'worker':
      return { HEALTH_PORT: String(port), WORKFLOW_BUNDLE_PATH: shared.workflowBundle };
    case 'web':
      return { WEB_PORT: String(port), STAYSAGA_WEB_API_URL: shared.apiUrl };
    default:
      return { HEALTH_PORT: String(port) };
  }
}

export function replicaSpec(
  kind: ReplicaKind,
  index: number,
  portBase: number,
  shared: SharedEndpoints,
): ReplicaSpec {
  const name = `${kind}${index}`;
  const port = replicaPort(portBase, kind, index);
  const script = kind === 'web' ? ['stack/cluster/web-replica.ts'] : ['processes/main.ts', kind];
  return {
    name,
    kind,
    args: script,
    env: {
      ...sharedEnv(shared),
      ...ownEnv(kind, port, shared),
      KAFKA_CLIENT_ID: `staysaga-${name}`, // tells the replicas apart in broker logs
    },
    healthUrl: `http://127.0.0.1:${port}${kind === 'web' ? '/' : '/health'}`,
  };
}

async function answersHealthy(url: string): Promise<boolean> {
  const reply = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return reply.ok;
}

export async function startReplica(
  spec: ReplicaSpec,
  logDir: string,
  echo: boolean,
): Promise<Replica> {
  mkdirSync(logDir, { recursive: true });
  const launch = async (): Promise<ManagedProcess> => {
    const proc = startProcess({
      name: spec.name,
      command: process.execPath,
      args: ['--import', 'tsx', ...spec.args],
      cwd: REPO_ROOT,
      env: spec.env,
      logFile: join(logDir, `${spec.name}.log`),
      pidFile: join(logDir, `${spec.name}.pid`),
      echo,
    });
    await waitUntilReady(proc, () => answersHealthy(spec.healthUrl), READY_TIMEOUT_MS);
    return proc;
  };
  let current = await launch();
  return {
    name: spec.name,
    kind: spec.kind,
    port: Number(new URL(spec.healthUrl).port),
    get process() {
      return current;
    },
    kill: () => killNow(current),
    async restart() {
      await killNow(current);
      current = await launch();
    },
    // Each handles SIGTERM by stopping its components in order (consumers leave their groups).
    stop: () => current.stop(20_000),
  };
}
