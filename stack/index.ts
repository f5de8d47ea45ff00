/**
 * The embedded infrastructure: Temporal dev server (+ Web UI), Kafka, a Mongo-wire server, a
 * mail server with a web mailbox (Mailpit) and the agent's model server (llama.cpp, stack/llm.ts).
 * Each one is resolved in this order: an explicit address in the environment
 * (TEMPORAL_ADDRESS, KAFKA_BROKERS, MONGODB_URI, SMTP_URL, AGENT_LLM_URL), else a binary already
 * installed, else the pinned version installed into the cache (~/.cache/staysaga, or
 * STAYSAGA_CACHE_DIR). STAYSAGA_AGENT=off leaves the model server out.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, progress } from './install.js';
import type { KafkaRole } from '../kafka/acl-plan.js';
import {
  kafkaPrincipalEnv,
  kafkaSecurityModeFromEnv,
  startKafka,
  type KafkaPrincipals,
  type KafkaSecurityMode,
} from './kafka.js';
import {
  agentEnabledFromEnv,
  localModelFromEnv,
  modelThreadsFromEnv,
  startModelServer,
  type ModelServer,
} from './llm.js';
import { startMailServer } from './mail.js';
import { StackError, type ManagedProcess } from './managed-process.js';
import { startMongoServer } from './mongo.js';
import { startTemporalDevServer } from './temporal.js';

export interface StackPorts {
  temporal: number;
  temporalUi: number;
  kafka: number;
  kafkaController: number;
  mongo: number;
  smtp: number;
  mailWeb: number;
  /** The agent's model server (OpenAI-compatible HTTP, Ollama's port). */
  llm: number;
}

export const DEFAULT_PORTS: StackPorts = {
  temporal: 7233,
  temporalUi: 8233,
  kafka: 9092,
  kafkaController: 9093,
  mongo: 27017,
  smtp: 1025,
  mailWeb: 8025,
  llm: 11434,
};

const PORT_VARIABLES: Record<keyof StackPorts, string> = {
  temporal: 'STAYSAGA_TEMPORAL_PORT',
  temporalUi: 'STAYSAGA_TEMPORAL_UI_PORT',
  kafka: 'STAYSAGA_KAFKA_PORT',
  kafkaController: 'STAYSAGA_KAFKA_CONTROLLER_PORT',
  mongo: 'STAYSAGA_MONGO_PORT',
  smtp: 'STAYSAGA_SMTP_PORT',
  mailWeb: 'STAYSAGA_MAIL_WEB_PORT',
  llm: 'STAYSAGA_LLM_PORT',
};

/** The default ports, each overridable by its STAYSAGA_*_PORT variable (when one is taken). */
export function portsFromEnv(env: NodeJS.ProcessEnv = process.env): StackPorts {
  const ports = { ...DEFAULT_PORTS };
  for (const [key, variable] of Object.entries(PORT_VARIABLES) as [keyof StackPorts, string][]) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    const port = Number(value);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new StackError(`${variable}=${value} is not a TCP port`);
    }
    ports[key] = port;
  }
  return ports;
}

export interface StackOptions {
  dataDir?: string;
  ports?: StackPorts;
  /** Echo server output with a [name] prefix (the start command) or keep it in log files. */
  echo?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The embedded Kafka's security; default: STAYSAGA_KAFKA_SECURITY in `env`, else plaintext. */
  kafkaSecurity?: KafkaSecurityMode;
  /**
   * Start the agent's model server (stack/llm.ts, STAYSAGA_AGENT_MODEL picks the model); default:
   * unless STAYSAGA_AGENT=off in `env`. An AGENT_LLM_URL in `env` is used instead of starting one.
   */
  agent?: boolean;
}

export interface RunningStack {
  /**
   * The environment every StaySaga process needs to reach this stack; AGENT_LLM_URL (the
   * OpenAI-compatible base URL, `.../v1`) and AGENT_LLM_MODEL only when there is a model server.
   */
  env: {
    TEMPORAL_ADDRESS: string;
    KAFKA_BROKERS: string;
    MONGODB_URI: string;
    SMTP_URL: string;
    AGENT_LLM_URL?: string;
    AGENT_LLM_MODEL?: string;
  };
  temporalUiUrl: string | null;
  /** The mailbox in a browser and its HTTP API; null for an SMTP_URL given without MAIL_WEB_URL. */
  mailWebUrl: string | null;
  /**
   * The embedded Kafka in `scram` mode: each role's principal (kafka/acl-plan.ts), and the
   * environment a process of that role runs with (KAFKA_SASL_*, KAFKA_ENSURE_TOPICS=false; the
   * stack created the topics and ACLs as admin). Hand each process its own. Null otherwise.
   */
  kafkaPrincipals: KafkaPrincipals | null;
  kafkaEnv: Record<KafkaRole, Record<string, string>> | null;
  /**
   * The agent's model server this stack started, with its own `stop()`, `kill()` and `start()`
   * (the same port) to take it down and bring it back; not in `processes`. Null when it is off
   * or AGENT_LLM_URL points elsewhere.
   */
  llm: ModelServer | null;
  dataDir: string;
  processes: ManagedProcess[];
  stop(): Promise<void>;
}

export function defaultDataDir(): string {
  return process.env.STAYSAGA_DATA_DIR ?? join(cacheDir(), 'data');
}

export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const env = options.env ?? process.env;
  const dataDir = options.dataDir ?? defaultDataDir();
  const ports = options.ports ?? portsFromEnv(env);
  const echo = options.echo ?? false;
  const kafkaSecurity = options.kafkaSecurity ?? kafkaSecurityModeFromEnv(env);
  const agent = options.agent ?? agentEnabledFromEnv(env);
  mkdirSync(dataDir, { recursive: true });
  const started = Date.now();
  const processes: ManagedProcess[] = [];
  const track = <T extends { process: ManagedProcess }>(server: T) => {
    processes.push(server.process);
    return server;
  };
  let llm: ModelServer | null = null;
  const stop = async () => {
    await Promise.all([...processes.map((p) => p.stop()), llm?.stop()]);
  };

  // Start all five at once; if one fails, wait for the others and stop what did start.
  const results = await Promise.allSettled([
    env.TEMPORAL_ADDRESS
      ? Promise.resolve({ address: env.TEMPORAL_ADDRESS, uiUrl: env.TEMPORAL_UI_URL ?? null })
      : startTemporalDevServer({
          dataDir,
          port: ports.temporal,
          uiPort: ports.temporalUi,
          namespace: env.TEMPORAL_NAMESPACE ?? 'default',
          echo,
        }).then(track),
    env.KAFKA_BROKERS
      ? Promise.resolve({ brokers: env.KAFKA_BROKERS, principals: null })
      : startKafka({
          dataDir,
          port: ports.kafka,
          controllerPort: ports.kafkaController,
          echo,
          security: kafkaSecurity,
          topics: {
            requests: env.KAFKA_REQUEST_TOPIC || 'booking-requests',
            updates: env.KAFKA_RESPONSE_TOPIC || 'booking-updates',
            liveEvents: env.KAFKA_LIVE_EVENTS_TOPIC || 'user-events',
          },
        }).then(track),
    env.MONGODB_URI
      ? Promise.resolve({ uri: env.MONGODB_URI })
      : startMongoServer({ dataDir, port: ports.mongo, database: 'staysaga', echo }).then(track),
    env.SMTP_URL
      ? Promise.resolve({ smtpUrl: env.SMTP_URL, webUrl: env.MAIL_WEB_URL || null })
      : startMailServer({
          dataDir,
          smtpPort: ports.smtp,
          httpPort: ports.mailWeb,
          echo,
        }).then(track),
    env.AGENT_LLM_URL
      ? Promise.resolve({ url: env.AGENT_LLM_URL, model: env.AGENT_LLM_MODEL ?? '' })
      : agent
        ? startModelServer({
            dataDir,
            port: ports.llm,
            echo,
            model: localModelFromEnv(env),
            threads: modelThreadsFromEnv(env),
          }).then((server) => (llm = server))
        : Promise.resolve(null),
  ] as const);
  const [temporal, kafka, mongo, mail, model] = results;
  if (
    temporal.status === 'rejected' ||
    kafka.status === 'rejected' ||
    mongo.status === 'rejected' ||
    mail.status === 'rejected' ||
    model.status === 'rejected'
  ) {
    await stop();
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    throw failed.reason;
  }
  progress(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s (data in ${dataDir})`);
  const principals = kafka.value.principals;
  return {
    env: {
      TEMPORAL_ADDRESS: temporal.value.address,
      KAFKA_BROKERS: kafka.value.brokers,
      MONGODB_URI: mongo.value.uri,
      SMTP_URL: mail.value.smtpUrl,
      ...(model.value
        ? {
            AGENT_LLM_URL: model.value.url,
            ...(model.value.model ? { AGENT_LLM_MODEL: model.value.model } : {}),
          }
        : {}),
    },
    temporalUiUrl: temporal.value.uiUrl,
    mailWebUrl: mail.value.webUrl,
    kafkaPrincipals: principals,
    kafkaEnv: principals
      ? (Object.fromEntries(
          Object.entries(principals).map(([role, p]) => [role, kafkaPrincipalEnv(p)]),
        ) as Record<KafkaRole, Record<string, string>>)
      : null,
    llm,
    dataDir,
    processes,
    stop,
  };
}
