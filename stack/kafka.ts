/**
 * Apache Kafka for local runs: one KRaft node (broker and controller in one JVM), run with
 * `java` from jars that Maven resolves out of Maven Central (stack/kafka/pom.xml), small heap.
 * Kafka 4.4 is the newest line and kafkajs 2.2.4 works against it (produce, idempotent
 * producer, consumer groups, admin, SASL/SCRAM-SHA-512): see test/integration and test/faults.
 *
 * Two modes, both bound to 127.0.0.1 only:
 * - `plaintext` (the default): no authentication, anyone who reaches the port may do anything.
 * - `scram` (STAYSAGA_KAFKA_SECURITY=scram): the client listener is SASL_PLAINTEXT with
 *   SCRAM-SHA-512, KRaft's StandardAuthorizer with allow.everyone.if.no.acl.found=false, one
 *   principal per role and the ACLs of kafka/acl-plan.ts. Brokers talk to each other on the
 *   client listener as `staysaga-broker` (SCRAM); the controller listener is SASL_PLAINTEXT with
 *   PLAIN against one static JAAS user, `staysaga-controller` (SCRAM credentials live in the
 *   metadata log the controller serves, so the controller cannot use them itself). The
 *   controller listener serves only controller APIs (no Produce, no Fetch), so even its own
 *   principal cannot produce through it. All three internal principals are super users.
 *   Passwords are random per data directory, kept in `<data>/kafka-scram/credentials.json`
 *   (mode 0600; server.properties, which repeats two of them, is 0600 too). The SCRAM users are
 *   bootstrapped when the storage is formatted (`StorageTool format --add-scram`); a role added
 *   to the plan later is created by Kafka's ConfigCommand as the admin. Each start creates the
 *   booking topics and ACLs (idempotent) as the admin, so the role principals never need to.
 *   The secure cluster keeps its data apart (`kafka-scram/`) from the plaintext one (`kafka/`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import {
  BROKER_PRINCIPAL,
  COMPONENT_ROLES,
  CONTROLLER_PRINCIPAL,
  KAFKA_PRINCIPALS,
  KAFKA_ROLES,
  provisionBookingKafka,
  SCRAM_MECHANISM,
  SUPER_USERS,
  type KafkaRole,
} from '../kafka/acl-plan.js';
import type { BookingTopics } from '../kafka/topics.js';
import { KAFKA_VERSION } from './cluster/versions.js';
import { cachedInstall, cacheDir, requireTool, run } from './install.js';
import {
  StackError,
  startProcess,
  waitUntilReady,
  type ManagedProcess,
} from './managed-process.js';

// The version lives in cluster/versions.ts, with the image the deployment files pin for it.
export { KAFKA_VERSION };
/** Bump whenever stack/kafka/pom.xml changes: the jars are cached under this revision. */
export const KAFKA_JARS_REVISION = 2;
const KAFKA_DIR = fileURLToPath(new URL('./kafka/', import.meta.url));
const TOOLS_LOG_CONFIG = join(KAFKA_DIR, 'tools-log4j2.xml');

// A small, fast-starting JVM: this is one node on a 2-core laptop, not a production broker.
export const JVM_OPTIONS = [
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
  const dir = join(cacheDir(), `kafka-${KAFKA_VERSION}-r${KAFKA_JARS_REVISION}`);
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

// ---- Security mode -----------------------------------------------------------------------------

export const KAFKA_SECURITY_MODES = ['plaintext', 'scram'] as const;
export type KafkaSecurityMode = (typeof KAFKA_SECURITY_MODES)[number];

/** STAYSAGA_KAFKA_SECURITY: unset or empty is plaintext. */
export function kafkaSecurityModeFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaSecurityMode {
  const value = env.STAYSAGA_KAFKA_SECURITY?.trim() || 'plaintext';
  if (!(KAFKA_SECURITY_MODES as readonly string[]).includes(value)) {
    throw new StackError(
      `STAYSAGA_KAFKA_SECURITY=${value} is not one of ${KAFKA_SECURITY_MODES.join(', ')}`,
    );
  }
  return value as KafkaSecurityMode;
}

export interface KafkaPrincipal {
  username: string;
  password: string;
}
export type KafkaPrincipals = Record<KafkaRole, KafkaPrincipal>;

/** The SASL settings of kafkajs for one principal of the secure embedded broker. */
export function kafkajsSasl(principal: KafkaPrincipal): SASLOptions {
  return { mechanism: 'scram-sha-512', ...principal };
}

/**
 * The environment a StaySaga process needs to log in as `principal` (config/env.ts). Topics are
 * not created by the role principals (they may not): the stack already created them as admin.
 */
export function kafkaPrincipalEnv(principal: KafkaPrincipal): Record<string, string> {
  return {
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: principal.username,
    KAFKA_SASL_PASSWORD: principal.password,
    KAFKA_ENSURE_TOPICS: principal.username === KAFKA_PRINCIPALS.admin ? 'true' : 'false',
  };
}

/** Where the secure embedded broker of `dataDir` keeps every password (mode 0600). */
export function kafkaCredentialsFile(dataDir: string): string {
  return join(dataDir, 'kafka-scram', 'credentials.json');
}

/**
 * Which principal one process running `components` (STAYSAGA_COMPONENTS: `all` or a comma list)
 * logs in as: the role they share (kafka/acl-plan.ts COMPONENT_ROLES), else the admin, since
 * no role may do what the others do.
 */
export function kafkaPrincipalForComponents(
  principals: KafkaPrincipals,
  components: string | undefined,
): KafkaPrincipal {
  const names =
    !components || components.trim() === 'all'
      ? Object.keys(COMPONENT_ROLES)
      : components.split(',').map((n) => n.trim());
  const roles = new Set(
    names.map((n) => COMPONENT_ROLES[n as keyof typeof COMPONENT_ROLES] ?? 'admin'),
  );
  const [only] = roles;
  return roles.size === 1 && only ? principals[only] : principals.admin;
}

interface StoredCredentials {
  controllerPassword: string;
  brokerPassword: string;
  principals: Partial<KafkaPrincipals>;
}

const newPassword = () => randomBytes(24).toString('base64url');

function writeSecretFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600); // also when it existed with wider permissions
}

function readCredentials(file: string): StoredCredentials | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredCredentials;
  } catch (error) {
    throw new StackError(`Cannot read the Kafka credentials ${file}: ${(error as Error).message}`);
  }
}

// ---- server.properties ---------------------------------------------------------------------

/** Java properties value: backslashes doubled, line breaks escaped. */
const propertyValue = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
/** A JAAS option value in double quotes. */
const jaasQuoted = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function commonProperties(dataDir: string): string[] {
  return [
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
  ];
}

function plaintextProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    ...commonProperties(dataDir),
  ].join('\n');
}

function secureProperties(
  dataDir: string,
  port: number,
  controllerPort: number,
  credentials: StoredCredentials,
): string {
  const scram = SCRAM_MECHANISM.toLowerCase();
  const controller = jaasQuoted(credentials.controllerPassword);
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=CLIENT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=CLIENT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT',
    // Clients and the broker itself (inter-broker) on CLIENT: SCRAM only.
    'inter.broker.listener.name=CLIENT',
    `listener.name.client.sasl.enabled.mechanisms=${SCRAM_MECHANISM}`,
    `sasl.mechanism.inter.broker.protocol=${SCRAM_MECHANISM}`,
    `listener.name.client.${scram}.sasl.jaas.config=${propertyValue(
      `org.apache.kafka.common.security.scram.ScramLoginModule required username=${jaasQuoted(
        BROKER_PRINCIPAL,
      )} password=${jaasQuoted(credentials.brokerPassword)};`,
    )}`,
    // The controller listener: PLAIN against one static user, the node's own.
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    'sasl.mechanism.controller.protocol=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=${propertyValue(
      `org.apache.kafka.common.security.plain.PlainLoginModule required username=${jaasQuoted(
        CONTROLLER_PRINCIPAL,
      )} password=${controller} user_${CONTROLLER_PRINCIPAL}=${controller};`,
    )}`,
    `sasl.enabled.mechanisms=${SCRAM_MECHANISM}`,
    // Whatever kafka/acl-plan.ts does not grant is refused.
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=false',
    `super.users=${SUPER_USERS.join(';')}`,
    ...commonProperties(dataDir),
  ].join('\n');
}

// ---- Kafka's own tools -------------------------------------------------------------------------

/** Java client properties that log in as `sasl` (a `--command-config` file). */
export function clientProperties(
  sasl: { mechanism: string; username: string; password: string } | undefined,
  ssl = false,
): string {
  if (!sasl) return ssl ? 'security.protocol=SSL\n' : '';
  const mechanism = sasl.mechanism.toUpperCase();
  const module =
    mechanism === 'PLAIN'
      ? 'org.apache.kafka.common.security.plain.PlainLoginModule'
      : 'org.apache.kafka.common.security.scram.ScramLoginModule';
  const jaas = `${module} required username=${jaasQuoted(sasl.username)} password=${jaasQuoted(
    sasl.password,
  )};`;
  return [
    `security.protocol=${ssl ? 'SASL_SSL' : 'SASL_PLAINTEXT'}`,
    `sasl.mechanism=${mechanism}`,
    `sasl.jaas.config=${propertyValue(jaas)}`,
    '',
  ].join('\n');
}

export interface KafkaToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs one of Kafka's command-line tools (`org.apache.kafka.tools.ConsoleProducer`, ...) with
 * the cached jars, `stdin` written to it and closed, and a hard time limit.
 */
export async function runKafkaTool(
  mainClass: string,
  args: string[],
  options: { stdin?: string; timeoutMs?: number } = {},
): Promise<KafkaToolResult> {
  requireTool('java', "to run Kafka's tools", 'Install a Java 17+ runtime.');
  const libs = await ensureKafkaJars();
  const child = spawn(
    'java',
    [
      '-Xmx128m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      // Java 17 reads stdin in the platform charset unless told otherwise.
      '-Dfile.encoding=UTF-8',
      '-Dstdin.encoding=UTF-8',
      `-Dlog4j2.configurationFile=${TOOLS_LOG_CONFIG}`,
      '-cp',
      `${libs}/*`,
      mainClass,
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.on('error', () => undefined); // a tool that dies early closes its stdin
  child.stdin.end(options.stdin ?? '', 'utf8');
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/**
 * The last lines of a tool's output, without the JVM's stack frames, a warning repeated line
 * after line (a client retrying a broker that hangs up on it) shown once with its count.
 */
export function outputTail(text: string, lines = 12): string {
  const kept: { line: string; same: string; count: number }[] = [];
  for (const line of text.trimEnd().split('\n')) {
    if (/^\s+at /.test(line) || /^\s+\.\.\. \d+ more/.test(line)) continue;
    const same = line.replace(/^\d\d:\d\d:\d\d\.\d+ /, '');
    const last = kept.at(-1);
    if (last && last.same === same) last.count += 1;
    else kept.push({ line, same, count: 1 });
  }
  return kept
    .slice(-lines)
    .map(({ line, count }) => (count > 1 ? `${line} (x${count})` : line))
    .join('\n');
}

/** A temporary `--command-config` file (mode 0600), removed when `use` is done. */
export async function withClientConfig<T>(
  properties: string,
  use: (file: string) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'staysaga-kafka-client-'));
  const file = join(dir, 'client.properties');
  try {
    writeSecretFile(file, properties);
    return await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Creates (or re-keys) a SCRAM user with Kafka's ConfigCommand, logged in as `admin`. */
async function addScramUser(
  brokers: string,
  admin: KafkaPrincipal,
  user: KafkaPrincipal,
): Promise<void> {
  await withClientConfig(
    clientProperties({ mechanism: SCRAM_MECHANISM, ...admin }),
    async (config) => {
      const result = await runKafkaTool(
        'org.apache.kafka.tools.ConfigCommand',
        [
          '--bootstrap-server',
          brokers,
          '--command-config',
          config,
          '--alter',
          '--entity-type',
          'users',
          '--entity-name',
          user.username,
          '--add-config',
          `${SCRAM_MECHANISM}=[password=${user.password}]`,
        ],
        { timeoutMs: 60_000 },
      );
      if (result.code !== 0) {
        throw new StackError(
          `Creating the Kafka SCRAM user ${user.username} failed (exit ${result.code}).\n` +
            outputTail(result.stderr + result.stdout),
        );
      }
    },
  );
}

// ---- Start -------------------------------------------------------------------------------------

/** Formats one KRaft node's storage (a no-op when it already is) with Kafka's StorageTool. */
export async function formatKafkaStorage(
  classpath: string,
  config: string,
  clusterId: string,
  extraArgs: string[] = [],
): Promise<void> {
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
      ...extraArgs,
    ],
    { failureHint: 'Formatting the Kafka storage failed.' },
  );
}

export interface KafkaBroker {
  brokers: string;
  process: ManagedProcess;
  security: KafkaSecurityMode;
  /** In `scram` mode, every role's principal; null in plaintext mode. */
  principals: KafkaPrincipals | null;
}

export interface KafkaOptions {
  dataDir: string;
  port: number;
  controllerPort: number;
  echo: boolean;
  /** Default: plaintext. */
  security?: KafkaSecurityMode;
  /** The booking topics the secure mode creates and grants on (default: the seed's names). */
  topics?: BookingTopics;
}

export const DEFAULT_TOPICS: BookingTopics = {
  requests: 'booking-requests',
  updates: 'booking-updates',
};

export async function startKafka(options: KafkaOptions): Promise<KafkaBroker> {
  requireTool('java', 'to run Kafka', 'Install a Java 17+ runtime, or set KAFKA_BROKERS.');
  const security = options.security ?? 'plaintext';
  const libs = await ensureKafkaJars();
  const kafkaDir = join(options.dataDir, security === 'scram' ? 'kafka-scram' : 'kafka');
  mkdirSync(kafkaDir, { recursive: true });
  if (security === 'scram') chmodSync(kafkaDir, 0o700);
  const formatted = existsSync(join(kafkaDir, 'kraft-logs', 'meta.properties'));
  const config = join(kafkaDir, 'server.properties');

  let credentials: StoredCredentials | null = null;
  if (security === 'scram') {
    const file = kafkaCredentialsFile(options.dataDir);
    credentials = readCredentials(file);
    if (!credentials && formatted) {
      throw new StackError(
        `${kafkaDir} holds a secure Kafka cluster but its credentials file ${file} is gone: ` +
          `without the admin's password nobody can administer it. Remove ${kafkaDir} to start ` +
          'a new one (its topics are lost).',
      );
    }
    if (!credentials) {
      credentials = {
        controllerPassword: newPassword(),
        brokerPassword: newPassword(),
        principals: Object.fromEntries(
          KAFKA_ROLES.map((role) => [
            role,
            { username: KAFKA_PRINCIPALS[role], password: newPassword() },
          ]),
        ),
      };
      // Saved before formatting: the storage must never hold users whose passwords are lost.
      writeSecretFile(file, JSON.stringify(credentials, null, 2));
    }
    writeSecretFile(
      config,
      secureProperties(kafkaDir, options.port, options.controllerPort, credentials),
    );
  } else {
    writeFileSync(config, plaintextProperties(kafkaDir, options.port, options.controllerPort));
  }

  const secure = credentials;
  const adminPrincipal = secure?.principals.admin;
  if (secure && !adminPrincipal) {
    throw new StackError(`The Kafka credentials in ${kafkaDir} have no admin principal.`);
  }
  const classpath = `${libs}/*`;
  if (!formatted) {
    const clusterId = randomBytes(16).toString('base64url');
    // The secure cluster's SCRAM users exist from its first metadata record on (KIP-900).
    const scramUsers = secure
      ? [
          { username: BROKER_PRINCIPAL, password: secure.brokerPassword },
          ...Object.values(secure.principals),
        ].flatMap((user) => [
          '--add-scram',
          `${SCRAM_MECHANISM}=[name=${user.username},password=${user.password}]`,
        ])
      : [];
    await formatKafkaStorage(classpath, config, clusterId, scramUsers);
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
  const adminKafka = new Kafka({
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    ...(adminPrincipal ? { sasl: kafkajsSasl(adminPrincipal) } : {}),
  });
  const admin = adminKafka.admin();
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
  if (!secure || !adminPrincipal) {
    return { brokers, process: proc, security, principals: null };
  }

  try {
    // A role the plan gained after this cluster was formatted: create its user now, as admin.
    const missing = KAFKA_ROLES.filter((role) => !secure.principals[role]);
    for (const role of missing) {
      const principal = { username: KAFKA_PRINCIPALS[role], password: newPassword() };
      await addScramUser(brokers, adminPrincipal, principal);
      secure.principals[role] = principal;
      writeSecretFile(kafkaCredentialsFile(options.dataDir), JSON.stringify(secure, null, 2));
    }
    const retrying = new Kafka({
      brokers: [brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 8, initialRetryTime: 200 },
      sasl: kafkajsSasl(adminPrincipal),
    });
    await provisionBookingKafka(retrying, options.topics ?? DEFAULT_TOPICS);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return {
    brokers,
    process: proc,
    security,
    principals: secure.principals as KafkaPrincipals,
  };
}
