/**
 * The embedded infrastructure: Temporal dev server (+ Web UI), Kafka, and a Mongo-wire server.
 * Each one is resolved in this order: an explicit address in the environment
 * (TEMPORAL_ADDRESS, KAFKA_BROKERS, MONGODB_URI), else a binary already installed, else the
 * pinned version installed into the cache (~/.cache/staysaga, or STAYSAGA_CACHE_DIR).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, progress } from './install.js';
import { startKafka } from './kafka.js';
import { StackError, type ManagedProcess } from './managed-process.js';
import { startMongoServer } from './mongo.js';
import { startTemporalDevServer } from './temporal.js';

export interface StackPorts {
  temporal: number;
  temporalUi: number;
  kafka: number;
  kafkaController: number;
  mongo: number;
}

export const DEFAULT_PORTS: StackPorts = {
  temporal: 7233,
  temporalUi: 8233,
  kafka: 9092,
  kafkaController: 9093,
  mongo: 27017,
};

const PORT_VARIABLES: Record<keyof StackPorts, string> = {
  temporal: 'STAYSAGA_TEMPORAL_PORT',
  temporalUi: 'STAYSAGA_TEMPORAL_UI_PORT',
  kafka: 'STAYSAGA_KAFKA_PORT',
  kafkaController: 'STAYSAGA_KAFKA_CONTROLLER_PORT',
  mongo: 'STAYSAGA_MONGO_PORT',
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
}

export interface RunningStack {
  /** The environment every StaySaga process needs to reach this stack. */
  env: { TEMPORAL_ADDRESS: string; KAFKA_BROKERS: string; MONGODB_URI: string };
  temporalUiUrl: string | null;
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
  mkdirSync(dataDir, { recursive: true });
  const started = Date.now();
  const processes: ManagedProcess[] = [];
  const track = <T extends { process: ManagedProcess }>(server: T) => {
    processes.push(server.process);
    return server;
  };
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
  };

  // Start all three at once; if one fails, wait for the others and stop what did start.
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
      ? Promise.resolve({ brokers: env.KAFKA_BROKERS })
      : startKafka({
          dataDir,
          port: ports.kafka,
          controllerPort: ports.kafkaController,
          echo,
        }).then(track),
    env.MONGODB_URI
      ? Promise.resolve({ uri: env.MONGODB_URI })
      : startMongoServer({ dataDir, port: ports.mongo, database: 'staysaga', echo }).then(track),
  ] as const);
  const [temporal, kafka, mongo] = results;
  if (
    temporal.status === 'rejected' ||
    kafka.status === 'rejected' ||
    mongo.status === 'rejected'
  ) {
    await stop();
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    throw failed.reason;
  }
  progress(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s (data in ${dataDir})`);
  return {
    env: {
      TEMPORAL_ADDRESS: temporal.value.address,
      KAFKA_BROKERS: kafka.value.brokers,
      MONGODB_URI: mongo.value.uri,
    },
    temporalUiUrl: temporal.value.uiUrl,
    dataDir,
    processes,
    stop,
  };
}
