/**
 * Shows the replicated Kafka of stack/cluster/kafka-cluster.ts keeping every acknowledged
 * message through a broker crash: starts the cluster on non-default ports, produces 200 keyed
 * messages (acks=all, idempotent) while SIGKILLing the leader of partition 0, restarts it,
 * waits for the in-sync replicas to be three again and reads everything back.
 *
 *   npx tsx stack/cluster/try-kafka-cluster.ts [--bootstrap-port 19092] [--port-base 19100]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Kafka } from 'kafkajs';
import { cacheDir, progress } from '../install.js';
import {
  ensureKafkaJars,
  KAFKA_JARS_REVISION,
  KAFKA_VERSION,
  outputTail,
  runKafkaTool,
} from '../kafka.js';
import {
  clusterClient,
  startKafkaCluster,
  waitForFullReplication,
  type BrokerName,
  type KafkaCluster,
} from './kafka-cluster.js';

const TOPIC = 'booking-requests';
const MESSAGES = 200;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  progress(`${what}: ${seconds(Date.now() - started)}`);
  return result;
}

/** Resident memory of one JVM, from the kernel's own accounting. */
function rss(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return status.match(/^VmRSS:\s+(.*)$/m)?.[1] ?? '?';
}

function printRss(cluster: KafkaCluster): void {
  for (const node of Object.values(cluster.nodes)) {
    progress(`  ${node.name} (pid ${node.process.pid}) VmRSS ${rss(node.process.pid)}`);
  }
}

/** kafka-topics --describe, with Kafka's own tool. */
async function describe(cluster: KafkaCluster): Promise<string> {
  const result = await runKafkaTool(
    'org.apache.kafka.tools.TopicCommand',
    ['--bootstrap-server', cluster.bootstrapServers, '--describe', '--topic', TOPIC],
    { timeoutMs: 60_000 },
  );
  if (result.code !== 0) {
    throw new Error(
      `kafka-topics --describe failed:\n${outputTail(result.stderr + result.stdout)}`,
    );
  }
  return result.stdout.trimEnd();
}

async function leaderOfPartitionZero(kafka: Kafka): Promise<BrokerName> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    const leader = topics[0]?.partitions.find((p) => p.partitionId === 0)?.leader;
    return `broker${leader}` as BrokerName;
  } finally {
    await admin.disconnect();
  }
}

/** One message per send, each acknowledged by two in-sync copies before the next one goes. */
async function produceThroughCrash(kafka: Kafka, cluster: KafkaCluster, victim: BrokerName) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let slowest = 0;
  try {
    for (let i = 0; i < MESSAGES; i += 1) {
      if (i === MESSAGES / 2) {
        await cluster.kill(victim);
        progress(`SIGKILLed ${victim} (leader of ${TOPIC}-0) after ${i} messages`);
      }
      const sent = Date.now();
      await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: [{ key: `key-${i}`, value: `message ${i}` }],
      });
      slowest = Math.max(slowest, Date.now() - sent);
    }
  } finally {
    await producer.disconnect();
  }
  progress(`produced ${MESSAGES} messages; slowest acknowledgement ${seconds(slowest)}`);
}

/** How many records the topic holds in all (duplicates would show here). */
async function recordCount(kafka: Kafka): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

async function consumeAll(kafka: Kafka): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `try-kafka-cluster-${Date.now()}` });
  const keys: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: ({ message }) => {
        keys.push(message.key?.toString() ?? '');
        if (keys.length >= MESSAGES) resolve();
        return Promise.resolve();
      },
    });
  });
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 90_000));
  await Promise.race([done, timeout]);
  await consumer.disconnect();
  return keys;
}

function checkNoneLost(keys: string[], records: number): boolean {
  const expected = Array.from({ length: MESSAGES }, (_, i) => `key-${i}`);
  const seen = new Set(keys);
  const missing = expected.filter((k) => !seen.has(k));
  progress(
    `records in ${TOPIC}: ${records}; consumed ${keys.length}, ${seen.size} distinct keys, ` +
      `${missing.length} missing${missing.length ? ` (${missing.slice(0, 10).join(', ')})` : ''}`,
  );
  return records === MESSAGES && keys.length === MESSAGES && missing.length === 0;
}

async function main(): Promise<boolean> {
  const { values } = parseArgs({
    options: {
      'bootstrap-port': { type: 'string', default: '19092' },
      'port-base': { type: 'string', default: '19100' },
    },
  });
  const jarsCached = existsSync(join(cacheDir(), `kafka-${KAFKA_VERSION}-r${KAFKA_JARS_REVISION}`));
  await timed(`Kafka jars (${jarsCached ? 'cached' : 'cold fetch'})`, ensureKafkaJars);

  const dataDir = mkdtempSync(join(tmpdir(), 'staysaga-kafka-cluster-'));
  const cluster = await timed('cluster start to ready (4 JVMs, topics created)', () =>
    startKafkaCluster({
      dataDir,
      bootstrapPort: Number(values['bootstrap-port']),
      portBase: Number(values['port-base']),
    }),
  );
  try {
    progress(`bootstrap servers ${cluster.bootstrapServers}; JVM memory after start:`);
    printRss(cluster);
    process.stdout.write(`${await describe(cluster)}\n`);

    const kafka = clusterClient(cluster.bootstrapServers, 'try-kafka-cluster');
    const victim = await leaderOfPartitionZero(kafka);
    await timed('produce through the crash', () => produceThroughCrash(kafka, cluster, victim));
    process.stdout.write(`${await describe(cluster)}\n`);

    await timed(`restart ${victim} until it serves`, () => cluster.restart(victim));
    const recovered = await waitForFullReplication(cluster.bootstrapServers);
    progress(`in-sync replicas back to 3 on every partition ${seconds(recovered)} after that`);
    process.stdout.write(`${await describe(cluster)}\n`);

    const keys = await timed('consume all', () => consumeAll(kafka));
    const ok = checkNoneLost(keys, await recordCount(kafka));
    progress('JVM memory at the end:');
    printRss(cluster);
    progress(ok ? 'OK: no acknowledged message lost, none duplicated' : 'FAILED: see above');
    return ok;
  } finally {
    await timed('cluster stop', () => cluster.stop());
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
