/**
 * Apache Kafka for local runs: one KRaft node (broker and controller in one JVM), run with
 * `java` from jars that Maven resolves out of Maven Central (stack/kafka/pom.xml), small heap.
 * Kafka 4.4 is the newest line and kafkajs 2.2.4 works against it (produce, idempotent
 * producer, consumer groups, admin): see test/integration.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { cachedInstall, cacheDir, requireTool, run } from './install.js';
import { startProcess, waitUntilReady, type ManagedProcess } from './managed-process.js';

export const KAFKA_VERSION = '4.4.0';
const KAFKA_DIR = fileURLToPath(new URL('./kafka/', import.meta.url));

// A small, fast-starting JVM: this is one node on a 2-core laptop, not a production broker.
const JVM_OPTIONS = [
  '-Xms64m',
  '-Xmx256m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:ReservedCodeCacheSize=32m',
  '-XX:MaxMetaspaceSize=128m',
  '-Xss512k',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
  `-Dlog4j2.configurationFile=${join(KAFKA_DIR, 'log4j2.xml')}`,
];

export async function ensureKafkaJars(): Promise<string> {
  const dir = join(cacheDir(), `kafka-${KAFKA_VERSION}`);
  await cachedInstall(dir, `Apache Kafka ${KAFKA_VERSION} jars (Maven Central)`, async (tmp) => {
    requireTool(
      'mvn',
      'to fetch the Kafka jars',
      'Install Maven (apt-get install maven), or set KAFKA_BROKERS.',
    );
    await run(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        join(KAFKA_DIR, 'pom.xml'),
        'dependency:copy-dependencies',
        `-DoutputDirectory=${join(tmp, 'libs')}`,
      ],
      { failureHint: 'Could not resolve Kafka from Maven Central: is it reachable?' },
    );
  });
  return join(dir, 'libs');
}

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(dataDir, 'kraft-logs')}`,
    'num.partitions=3',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    // Topics are created explicitly (with their dead-letter topics), never by a typo.
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
    'num.recovery.threads.per.data.dir=1',
    'log.retention.hours=168',
    'log.segment.bytes=16777216',
    // The log cleaner allocates this buffer up front (128 MiB by default): keep the heap small.
    'log.cleaner.dedupe.buffer.size=8388608',
    'log.cleaner.threads=1',
    '',
  ].join('\n');
}

export interface KafkaBroker {
  brokers: string;
  process: ManagedProcess;
}

export async function startKafka(options: {
  dataDir: string;
  port: number;
  controllerPort: number;
  echo: boolean;
}): Promise<KafkaBroker> {
  requireTool('java', 'to run Kafka', 'Install a Java 17+ runtime, or set KAFKA_BROKERS.');
  const libs = await ensureKafkaJars();
  const kafkaDir = join(options.dataDir, 'kafka');
  mkdirSync(kafkaDir, { recursive: true });
  const config = join(kafkaDir, 'server.properties');
  writeFileSync(config, serverProperties(kafkaDir, options.port, options.controllerPort));
  const classpath = `${libs}/*`;
  if (!existsSync(join(kafkaDir, 'kraft-logs', 'meta.properties'))) {
    const clusterId = randomBytes(16).toString('base64url');
    await run(
      'java',
      [
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        ...JVM_OPTIONS.slice(-1),
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        '--config',
        config,
        `--cluster-id=${clusterId}`,
        '--ignore-formatted',
      ],
      { failureHint: 'Formatting the Kafka storage failed.' },
    );
  }
  const proc = startProcess({
    name: 'kafka',
    command: 'java',
    args: [...JVM_OPTIONS, '-cp', classpath, 'kafka.Kafka', config],
    logFile: join(options.dataDir, 'kafka.log'),
    pidFile: join(options.dataDir, 'kafka.pid'),
    echo: options.echo,
  });
  const brokers = `127.0.0.1:${options.port}`;
  const admin = new Kafka({
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  await waitUntilReady(
    proc,
    async () => {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0;
    },
    90_000,
  );
  await admin.disconnect();
  return { brokers, process: proc };
}
