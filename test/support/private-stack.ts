/**
 * A private stack for the fault tests: Temporal, Kafka and the Mongo-wire server on free ports
 * in a temp data dir (via `startStack`), servers that can be stopped and started again on the
 * same ports and data, and StaySaga components run as separately killable child processes
 * (`tsx processes/main.ts <components>`). Plus the direct clients the tests assert with: the app's
 * mongoose models, a Temporal client, a Kafka topic reader, and a small HTTP client for the
 * private API. `stop()` kills every child and server it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import mongoose from 'mongoose';
import type { StackPorts } from '../../stack/index.js';
import type { KafkaRole } from '../../kafka/acl-plan.js';
import {
  kafkajsSasl,
  kafkaPrincipalEnv,
  startKafka,
  type KafkaPrincipals,
  type KafkaSecurityMode,
} from '../../stack/kafka.js';
import type { ManagedProcess } from '../../stack/managed-process.js';
import { startThrowawayStack } from '../../stack/throwaway-stack.js';
import { requestJson, type JsonResponse as ApiResponse } from './http-client.js';
import { startMailServer } from '../../stack/mail.js';
import { startTemporalDevServer } from '../../stack/temporal.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NAMESPACE = 'default';

export type ComponentName = 'api' | 'worker' | 'bridge' | 'notifier';

/** The log line each component writes once it is serving. */
const READY_LINES: Record<ComponentName, RegExp> = {
  api: /\[staysaga:api\] INFO\s+listening /,
  worker: /\[staysaga:worker\] INFO\s+polling /,
  bridge: /\[staysaga:bridge\] INFO\s+consuming topic=booking-updates /,
  notifier: /\[staysaga:notifier\] INFO\s+consuming topic=booking-requests /,
};

export interface ComponentProcess {
  label: string;
  child: ChildProcess;
  pid: number;
  /** Everything it printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolves with the signal (or exit code) it ended with. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

export interface PrivateStack {
  dataDir: string;
  ports: StackPorts & { api: number };
  apiUrl: string;
  /** What every StaySaga child process runs with. */
  env: NodeJS.ProcessEnv;
  brokers: string[];
  /** `scram`: Kafka authenticates every client and authorizes by ACL (kafka/acl-plan.ts). */
  kafkaSecurity: KafkaSecurityMode;
  /** In `scram` mode each role's principal; null in plaintext mode. */
  kafkaPrincipals: KafkaPrincipals | null;
  /**
   * What a component of `role` needs to log in (KAFKA_SASL_*, KAFKA_ENSURE_TOPICS=false): pass it
   * as `startComponents(..., { env })`. Throws in plaintext mode.
   */
  kafkaEnv(role: KafkaRole): NodeJS.ProcessEnv;
  /** The SASL settings for a kafkajs client of `role` (undefined in plaintext mode). */
  kafkaSasl(role: KafkaRole): SASLOptions | undefined;
  temporal: Client;
  api: ApiClient;
  /** Starts `tsx processes/main.ts <names>` and waits until each named component is serving. */
  startComponents(
    names: ComponentName[],
    options?: { env?: NodeJS.ProcessEnv; label?: string; readyTimeoutMs?: number },
  ): Promise<ComponentProcess>;
  stopKafka(): Promise<void>;
  startKafka(): Promise<void>;
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  stopMail(): Promise<void>;
  startMail(): Promise<void>;
  /** The mailbox (Mailpit's web UI and API) of this stack. */
  mailWebUrl: string;
  /** Every message on `topic` up to its current end, read by a throw-away consumer group. */
  readTopic(topic: string): Promise<TopicMessage[]>;
  /** The offsets `groupId` committed on `topic`, by partition (-1: nothing committed). */
  committedOffsets(groupId: string, topic: string): Promise<Record<number, number>>;
  stop(): Promise<void>;
}

export interface TopicMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: any;
  headers: Record<string, string>;
}

export async function startPrivateStack(
  options: { env?: NodeJS.ProcessEnv; kafkaSecurity?: KafkaSecurityMode } = {},
): Promise<PrivateStack> {
  installExitHook();
  const started = Date.now();
  const kafkaSecurity = options.kafkaSecurity ?? 'plaintext';
  // Always our own servers, whatever the developer's shell points at: these tests break them.
  const throwaway = await startThrowawayStack('faults', { ownServers: true, kafkaSecurity });
  const { stack, dataDir, apiPort: api } = throwaway;
  const ports = { ...throwaway.ports, api };
  const servers = new Map<string, ManagedProcess>(stack.processes.map((p) => [p.name, p]));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...stack.env,
    PORT: String(api),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    OWNER_DECISION_TIMEOUT: '10m',
    STAYSAGA_FAULT_KILL_BEFORE_COMMIT: '',
    ...options.env,
  };
  const apiUrl = `http://127.0.0.1:${api}`;
  const mongoUri = stack.env.MONGODB_URI;
  await mongoose.connect(mongoUri, { serverSelectionTimeoutMS: 15_000, autoIndex: false });
  const temporalClient = new Client({
    connection: await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS }),
    namespace: NAMESPACE,
  });
  const brokers = stack.env.KAFKA_BROKERS.split(',');
  const principals = stack.kafkaPrincipals;
  const kafkaSasl = (role: KafkaRole) => (principals ? kafkajsSasl(principals[role]) : undefined);
  // The test's own Kafka clients (topic reader, offsets) are the admin.
  const adminSasl = kafkaSasl('admin');
  const components = new Set<ComponentProcess>();
  let counter = 0;
  log(`private stack up in ${seconds(started)}s (${dataDir})`);

  function server(name: string): ManagedProcess {
    const p = servers.get(name);
    if (!p) throw new Error(`no ${name} server in this stack`);
    return p;
  }

  const privateStack: PrivateStack = {
    dataDir,
    ports,
    apiUrl,
    env,
    brokers,
    kafkaSecurity,
    kafkaPrincipals: principals,
    kafkaEnv(role) {
      if (!principals) throw new Error('this private stack runs Kafka in plaintext');
      return kafkaPrincipalEnv(principals[role]);
    },
    kafkaSasl,
    temporal: temporalClient,
    api: apiClient(apiUrl),

    async startComponents(names, opts = {}) {
      counter += 1;
      const label = opts.label ?? `${names.join('+')}#${counter}`;
      const proc = spawnComponent(label, names, { ...env, ...opts.env }, dataDir);
      components.add(proc);
      const t0 = Date.now();
      try {
        await Promise.all(
          names.map((n) => proc.waitForOutput(READY_LINES[n], opts.readyTimeoutMs ?? 90_000)),
        );
      } catch (error) {
        await proc.kill('SIGKILL');
        throw error;
      }
      log(`${label} ready in ${seconds(t0)}s (pid ${proc.pid})`);
      return proc;
    },

    async stopKafka() {
      const t0 = Date.now();
      await server('kafka').stop();
      log(`kafka stopped in ${seconds(t0)}s`);
    },
    async startKafka() {
      const t0 = Date.now();
      const broker = await startKafka({
        dataDir,
        port: ports.kafka,
        controllerPort: ports.kafkaController,
        echo: false,
        security: kafkaSecurity,
      });
      servers.set('kafka', broker.process);
      log(`kafka started again in ${seconds(t0)}s`);
    },
    async stopTemporal() {
      const t0 = Date.now();
      await server('temporal').stop();
      log(`temporal stopped in ${seconds(t0)}s`);
    },
    async startTemporal() {
      const t0 = Date.now();
      const dev = await startTemporalDevServer({
        dataDir,
        port: ports.temporal,
        uiPort: ports.temporalUi,
        namespace: NAMESPACE,
        echo: false,
      });
      servers.set('temporal', dev.process);
      log(`temporal started again in ${seconds(t0)}s`);
    },

    mailWebUrl: stack.mailWebUrl as string,
    async stopMail() {
      const t0 = Date.now();
      await server('mailpit').stop();
      log(`mailpit stopped in ${seconds(t0)}s`);
    },
    async startMail() {
      const t0 = Date.now();
      const mail = await startMailServer({
        dataDir,
        smtpPort: ports.smtp,
        httpPort: ports.mailWeb,
        echo: false,
      });
      servers.set('mailpit', mail.process);
      log(`mailpit started again in ${seconds(t0)}s`);
    },

    readTopic: (topic) => readTopic(brokers, topic, adminSasl),
    async committedOffsets(groupId, topic) {
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING, sasl: adminSasl }).admin();
      await admin.connect();
      try {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return Object.fromEntries(
          (offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
        );
      } finally {
        await admin.disconnect();
      }
    },

    async stop() {
      await Promise.all([...components].map((c) => c.kill('SIGKILL')));
      await mongoose.disconnect().catch(() => undefined);
      await temporalClient.connection.close().catch(() => undefined);
      // Restarted servers replace the stack's own processes: stop whichever is current.
      await Promise.all([...servers.values()].map((p) => p.stop(10_000)));
      const keepData = Boolean(process.env.STAYSAGA_KEEP_FAULT_DATA);
      await throwaway.remove({ keepData });
      if (keepData) log(`kept ${dataDir}`);
    },
  };
  return privateStack;
}

function spawnComponent(
  label: string,
  names: ComponentName[],
  env: NodeJS.ProcessEnv,
  dataDir: string,
): ComponentProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'processes/main.ts', names.join(',')], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${label}`);
  liveChildren.add(child);
  const logFile: WriteStream = createWriteStream(
    join(dataDir, `${label.replace(/[^\w+-]/g, '_')}.log`),
    { flags: 'a' },
  );
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    logFile.write(text);
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      liveChildren.delete(child);
      logFile.end();
      for (const l of listeners) l();
      resolve({ code, signal });
    });
  });
  const proc: ComponentProcess = {
    label,
    child,
    pid: child.pid,
    output: () => output,
    exited,
    hasExited: () => exitedFlag,
    async kill(signal = 'SIGKILL') {
      if (!exitedFlag) child.kill(signal);
      return exited;
    },
    waitForOutput(pattern, timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) return done(null);
          if (exitedFlag) {
            return done(new Error(`${label} exited before printing ${pattern}:\n${tail(output)}`));
          }
        };
        const timer = setTimeout(
          () =>
            done(
              new Error(`${label} did not print ${pattern} in ${timeoutMs} ms:\n${tail(output)}`),
            ),
          timeoutMs,
        );
        const done = (error: Error | null) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        check();
      });
    },
  };
  return proc;
}

/** Reads `topic` from the beginning up to the end offsets it has right now (as `sasl`, if given). */
export async function readTopic(
  brokers: string[],
  topic: string,
  sasl?: SASLOptions,
): Promise<TopicMessage[]> {
  const kafka = new Kafka({
    brokers,
    logLevel: logLevel.NOTHING,
    clientId: 'fault-test-reader',
    sasl,
  });
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(
      offsets
        .filter((o) => BigInt(o.high) > BigInt(o.low))
        .map((o) => [o.partition, BigInt(o.high)]),
    );
  } finally {
    await admin.disconnect();
  }
  const messages: TopicMessage[] = [];
  if (ends.size === 0) return messages;
  const consumer = kafka.consumer({ groupId: `fault-test-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} did not reach its end offsets in 60 s`)),
        60_000,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const raw = message.value?.toString('utf8') ?? '';
            let value: unknown;
            try {
              value = JSON.parse(raw);
            } catch {
              value = raw;
            }
            messages.push({
              partition,
              offset: message.offset,
              key: message.key?.toString('utf8') ?? null,
              value,
              headers: Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
              ),
            });
            const end = ends.get(partition);
            if (end !== undefined && BigInt(message.offset) + 1n >= end) ends.delete(partition);
            if (ends.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

// ---------------------------------------------------------------------------------------------
// A tiny client for the private API (test/support/api-client.ts reads the integration project's
// injected URL; fault tests each have their own).

export interface Actor {
  id: string;
  token: string;
}

export interface ApiClient {
  call<T = any>(
    path: string,
    options?: { method?: string; token?: string; body?: unknown },
  ): Promise<ApiResponse<T>>;
  signUp(role: 'traveler' | 'owner'): Promise<Actor>;
  createProperty(owner: Actor): Promise<{ id: string }>;
  /** Requests a stay; throws unless it answers 201 PENDING. Returns the booking id. */
  requestBooking(
    traveler: Actor,
    stay: { propertyId: string; checkIn: string; checkOut: string },
  ): Promise<string>;
  /** The owner decides; throws unless the API answers 202. Returns the decision's eventId. */
  decide(owner: Actor, bookingId: string, decision: 'approve' | 'reject'): Promise<string>;
}

export function apiClient(baseUrl: string): ApiClient {
  const call = <T = any>(
    path: string,
    options: { method?: string; token?: string; body?: unknown } = {},
  ): Promise<ApiResponse<T>> => requestJson<T>(baseUrl, path, { ...options, timeoutMs: 120_000 });
  const expectStatus = (res: ApiResponse, status: number, what: string) => {
    if (res.status !== status) {
      throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  return {
    call,
    async signUp(role) {
      const res = await call('/api/auth/signup', {
        method: 'POST',
        body: {
          email: `${role}-${randomUUID()}@example.com`,
          password: 'a-long-password',
          name: `${role} ${randomUUID().slice(0, 6)}`,
          role,
        },
      });
      expectStatus(res, 201, 'sign-up');
      return { id: res.body.user.id, token: res.body.token };
    },
    async createProperty(owner) {
      const res = await call('/api/properties', {
        method: 'POST',
        token: owner.token,
        body: {
          name: 'Fault Test Villa',
          type: 'villa',
          city: 'Lisbon',
          country: 'Portugal',
          bedrooms: 3,
          bathrooms: 2,
          maxGuests: 6,
          pricePerNight: 250,
          cleaningFee: 60,
          serviceFee: 40,
        },
      });
      expectStatus(res, 201, 'create property');
      return { id: res.body.property.id };
    },
    async requestBooking(traveler, stay) {
      const res = await call('/api/travelers/bookings', {
        method: 'POST',
        token: traveler.token,
        body: { ...stay, guests: 2 },
      });
      expectStatus(res, 201, 'request booking');
      if (res.body.booking.status !== 'PENDING') {
        throw new Error(`booking is ${res.body.booking.status}, expected PENDING`);
      }
      return res.body.booking.id as string;
    },
    async decide(owner, bookingId, decision) {
      const res = await call(`/api/owners/bookings/${bookingId}/${decision}`, {
        method: 'PUT',
        token: owner.token,
      });
      expectStatus(res, 202, decision);
      return res.body.decision.eventId as string;
    },
  };
}

const DAY = 86_400_000;
/** `YYYY-MM-DD`, `days` from today (UTC). */
export function daysFromNow(days: number): string {
  return new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY).toISOString().slice(0, 10);
}

export function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

export function log(message: string): void {
  process.stdout.write(`[faults] ${message}\n`);
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
