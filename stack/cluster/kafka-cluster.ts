/**
 * A replicated Apache Kafka on one machine, shaped like production (k8s/base/kafka.yaml): one
 * KRaft controller and three brokers, each its own JVM, all on 127.0.0.1, plaintext. Every topic
 * gets three copies and a write needs two of them in sync, so losing any one broker loses no
 * acknowledged message and stops no producer. Jars, JVM settings and storage formatting are the
 * single-node stack's (stack/kafka.ts); only the roles and the replication settings differ.
 *
 * Ports: broker1 on `bootstrapPort` (9092), broker2 and broker3 on the next two, the controller
 * on `portBase` (default: the port after broker3). Data lives in `<dataDir>/kafka-cluster/<node>`,
 * so `kill('broker2')` then `restart('broker2')` brings a broker back on the log it crashed with.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureBookingTopics, type BookingTopics } from '../../kafka/topics.js';
import { requireTool } from '../install.js';
import {
  commonProperties,
  DEFAULT_TOPICS,
  ensureKafkaJars,
  formatKafkaStorage,
  JVM_OPTIONS,
} from '../kafka.js';
import {
  StackError,
  startProcess,
  waitUntilReady,
  type ManagedProcess,
} from '../managed-process.js';
import { portAccepts } from '../ports.js';

export const BROKER_NAMES = ['broker1', 'broker2', 'broker3'] as const;
export type BrokerName = (typeof BROKER_NAMES)[number];
export type KafkaNodeName = 'controller' | BrokerName;
const NODE_NAMES: readonly KafkaNodeName[] = ['controller', ...BROKER_NAMES];

/** Three copies of everything; a write is acknowledged once two of them have it. */
export const CLUSTER_REPLICATION_FACTOR = 3;
export const CLUSTER_MIN_IN_SYNC = 2;

// The single-node settings these replace (commonProperties has them at 1).
const REPLICATION_PROPERTIES: Record<string, string> = {
  'default.replication.factor': String(CLUSTER_REPLICATION_FACTOR),
  'min.insync.replicas': String(CLUSTER_MIN_IN_SYNC),
  // A replica that missed acknowledged writes must never become leader: it would drop them.
  'unclean.leader.election.enable': 'false',
  'offsets.topic.replication.factor': String(CLUSTER_REPLICATION_FACTOR),
  'transaction.state.log.replication.factor': String(CLUSTER_REPLICATION_FACTOR),
  'transaction.state.log.min.isr': String(CLUSTER_MIN_IN_SYNC),
  'share.coordinator.state.topic.replication.factor': String(CLUSTER_REPLICATION_FACTOR),
  'share.coordinator.state.topic.min.isr': String(CLUSTER_MIN_IN_SYNC),
};

export interface KafkaClusterOptions {
  dataDir: string;
  /** broker1's port; broker2 and broker3 take the next two. Default 9092. */
  bootstrapPort?: number;
  /** The controller's port. Default: bootstrapPort + 3. */
  portBase?: number;
  /** Echo the nodes' output, prefixed by node name (default: only their log files). */
  echo?: boolean;
  /** The booking topics to create with three copies (default: the seed's names). */
  topics?: BookingTopics;
}

export interface KafkaClusterNode {
  name: KafkaNodeName;
  nodeId: number;
  port: number;
  /** The running JVM (a new one after each restart). */
  process: ManagedProcess;
}

export interface KafkaCluster {
  /** All three brokers, comma-separated (KAFKA_BROKERS). */
  bootstrapServers: string;
  controllerPort: number;
  nodes: Record<KafkaNodeName, KafkaClusterNode>;
  /** SIGKILLs one node, as a crash would: no controlled shutdown, no leadership hand-over. */
  kill(name: KafkaNodeName): Promise<void>;
  /** Starts a node again on its own data (stopping it first if it still runs), until ready. */
  restart(name: KafkaNodeName): Promise<void>;
  stop(): Promise<void>;
}

interface NodeLayout {
  name: KafkaNodeName;
  nodeId: number;
  port: number;
  dir: string;
  config: string;
}

const brokerAddress = (port: number) => `127.0.0.1:${port}`;

/** Single-node defaults, with the replication ones replaced by three copies / two in sync. */
function clusterDefaults(nodeDir: string): string[] {
  const key = (line: string) => line.split('=')[0] ?? '';
  const kept = commonProperties(nodeDir).filter(
    (l) => !Object.hasOwn(REPLICATION_PROPERTIES, key(l)),
  );
  return [...Object.entries(REPLICATION_PROPERTIES).map(([k, v]) => `${k}=${v}`), ...kept];
}

/**
 * The controller also gets the topic defaults: in KRaft it is the controller that applies
 * default.replication.factor to new topics and decides on (unclean) leader elections.
 */
function controllerProperties(node: NodeLayout): string {
  return [
    'process.roles=controller',
    `node.id=${node.nodeId}`,
    `controller.quorum.voters=${node.nodeId}@${brokerAddress(node.port)}`,
    `listeners=CONTROLLER://${brokerAddress(node.port)}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT',
    ...clusterDefaults(node.dir),
  ].join('\n');
}

function brokerProperties(node: NodeLayout, controller: NodeLayout): string {
  return [
    'process.roles=broker',
    `node.id=${node.nodeId}`,
    `controller.quorum.voters=${controller.nodeId}@${brokerAddress(controller.port)}`,
    `listeners=PLAINTEXT://${brokerAddress(node.port)}`,
    `advertised.listeners=PLAINTEXT://${brokerAddress(node.port)}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    ...clusterDefaults(node.dir),
  ].join('\n');
}

/** Node ids as in production: the controller 0, broker N is node N. */
function layout(root: string, bootstrapPort: number, controllerPort: number): NodeLayout[] {
  return NODE_NAMES.map((name, index) => {
    const dir = join(root, name);
    return {
      name,
      nodeId: index,
      port: name === 'controller' ? controllerPort : bootstrapPort + index - 1,
      dir,
      config: join(dir, 'server.properties'),
    };
  });
}

/** One cluster id for all four nodes, kept so a restart finds the storage it formatted. */
function clusterId(root: string): string {
  const file = join(root, 'cluster-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = randomBytes(16).toString('base64url');
  writeFileSync(file, id);
  return id;
}

function spawnNode(node: NodeLayout, classpath: string, root: string, echo: boolean) {
  return startProcess({
    name: `kafka-${node.name}`,
    command: 'java',
    args: [...JVM_OPTIONS, '-cp', classpath, 'kafka.Kafka', node.config],
    logFile: join(root, `${node.name}.log`),
    pidFile: join(root, `${node.name}.pid`),
    echo,
  });
}

/**
 * Ready when the node serves: the controller accepts connections; a broker, asked itself, lists
 * itself among the live brokers (it is registered with the controller and unfenced).
 */
async function waitForNode(node: NodeLayout, proc: ManagedProcess): Promise<void> {
  if (node.name === 'controller') {
    await waitUntilReady(proc, () => portAccepts(node.port), 90_000);
    return;
  }
  const admin = new Kafka({
    brokers: [brokerAddress(node.port)],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  try {
    await waitUntilReady(
      proc,
      async () => {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.some((b) => b.nodeId === node.nodeId);
      },
      120_000,
    );
  } finally {
    await admin.disconnect();
  }
}

/** A kafkajs client on all three brokers that rides out one of them being down. */
export function clusterClient(bootstrapServers: string, clientId = 'staysaga-cluster'): Kafka {
  return new Kafka({
    clientId,
    brokers: bootstrapServers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
}

/**
 * Waits until every partition of every topic has a leader and all three replicas in sync: after
 * a broker rejoined, and after a start on existing data, where the topics exist already but
 * their leaders are elected only once the brokers are back. Returns how long that took.
 */
export async function waitForFullReplication(
  bootstrapServers: string,
  timeoutMs = 120_000,
): Promise<number> {
  const started = Date.now();
  const admin = clusterClient(bootstrapServers).admin();
  await admin.connect();
  try {
    while (Date.now() - started < timeoutMs) {
      const { topics } = await admin.fetchTopicMetadata();
      const partitions = topics.flatMap((t) => t.partitions);
      const whole = (p: (typeof partitions)[number]) =>
        p.leader >= 0 && p.isr.length === CLUSTER_REPLICATION_FACTOR;
      if (partitions.length > 0 && partitions.every(whole)) {
        return Date.now() - started;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
  throw new StackError(
    `Kafka partitions were not back to ${CLUSTER_REPLICATION_FACTOR} in-sync replicas after ` +
      `${timeoutMs / 1000}s: is a broker down?`,
  );
}

export async function startKafkaCluster(options: KafkaClusterOptions): Promise<KafkaCluster> {
  requireTool('java', 'to run Kafka', 'Install a Java 17+ runtime.');
  const bootstrapPort = options.bootstrapPort ?? 9092;
  const controllerPort = options.portBase ?? bootstrapPort + BROKER_NAMES.length;
  const echo = options.echo ?? false;
  const classpath = `${await ensureKafkaJars()}/*`;
  const root = join(options.dataDir, 'kafka-cluster');
  mkdirSync(root, { recursive: true });
  const id = clusterId(root);
  const nodes = layout(root, bootstrapPort, controllerPort);
  const controller = nodes[0]!;
  for (const node of nodes) {
    mkdirSync(node.dir, { recursive: true });
    const text =
      node === controller ? controllerProperties(node) : brokerProperties(node, controller);
    writeFileSync(node.config, text);
  }
  await Promise.all(nodes.map((node) => formatKafkaStorage(classpath, node.config, id)));

  // All four at once: brokers keep retrying the controller until it is up.
  const running = new Map<KafkaNodeName, ManagedProcess>();
  const stopAll = async () => {
    // Brokers first: their controlled shutdown hands leadership over through the controller.
    const brokers = [...running].filter(([name]) => name !== 'controller');
    await Promise.all(brokers.map(([, proc]) => proc.stop()));
    await running.get('controller')?.stop();
  };
  const launch = async (node: NodeLayout) => {
    const proc = spawnNode(node, classpath, root, echo);
    running.set(node.name, proc);
    await waitForNode(node, proc);
  };
  const bootstrapServers = nodes
    .filter((n) => n !== controller)
    .map((n) => brokerAddress(n.port))
    .join(',');
  try {
    await Promise.all(nodes.map(launch));
    await ensureBookingTopics(
      clusterClient(bootstrapServers),
      options.topics ?? DEFAULT_TOPICS,
      CLUSTER_REPLICATION_FACTOR,
    );
    await waitForFullReplication(bootstrapServers);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return clusterHandle(nodes, running, { bootstrapServers, controllerPort, launch, stopAll });
}

function clusterHandle(
  nodes: NodeLayout[],
  running: Map<KafkaNodeName, ManagedProcess>,
  parts: {
    bootstrapServers: string;
    controllerPort: number;
    launch: (node: NodeLayout) => Promise<void>;
    stopAll: () => Promise<void>;
  },
): KafkaCluster {
  const nodeNamed = (name: KafkaNodeName) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new StackError(`There is no Kafka node called ${name}.`);
    return node;
  };
  const processOf = (name: KafkaNodeName) => {
    const proc = running.get(name);
    if (!proc) throw new StackError(`Kafka node ${name} was never started.`);
    return proc;
  };
  const handles = Object.fromEntries(
    nodes.map((node) => [
      node.name,
      {
        name: node.name,
        nodeId: node.nodeId,
        port: node.port,
        get process() {
          return processOf(node.name);
        },
      },
    ]),
  ) as Record<KafkaNodeName, KafkaClusterNode>;
  return {
    bootstrapServers: parts.bootstrapServers,
    controllerPort: parts.controllerPort,
    nodes: handles,
    async kill(name) {
      const proc = processOf(name);
      if (proc.hasExited()) return;
      try {
        process.kill(-proc.pid, 'SIGKILL'); // its process group: the JVM (detached)
      } catch {
        // already gone
      }
      await proc.exited;
    },
    async restart(name) {
      const node = nodeNamed(name);
      await running.get(name)?.stop();
      await parts.launch(node);
    },
    stop: parts.stopAll,
  };
}
