/**
 * Reaching the broker is not enough to forge an owner's decision: with Kafka in its secure
 * mode (SASL/SCRAM-SHA-512 on the client listener, StandardAuthorizer, no ACL means no access,
 * kafka/acl-plan.ts), a client without credentials is refused, whichever client it is (kafkajs
 * or Kafka's own console producer); the controller listener lets nobody produce; each role's
 * principal writes and reads only its own topics and group. The owner side may write
 * booking-updates, and the whole saga still works with every component in its own process
 * under its own principal, creating no topic itself. A malformed decision still dead-letters.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aclPlan,
  COMPONENT_ROLES,
  KAFKA_PRINCIPALS,
  toKafkajsAcls,
  type KafkaRole,
} from '../../kafka/acl-plan.js';
import { BRIDGE_GROUP_ID } from '../../processes/booking-updates-bridge.js';
import { NOTIFIER_GROUP_ID } from '../../processes/owner-notifier.js';
import { ConsoleProducerError, produceWithConsoleProducer } from '../../stack/kafka-console.js';
import { eventually } from '../support/eventually.js';
import { dataOf, openEventStream, type SseStream } from '../support/sse-client.js';
import {
  daysFromNow,
  log,
  seconds,
  startPrivateStack,
  type PrivateStack,
} from '../support/private-stack.js';

const TOPICS = { requests: 'booking-requests', updates: 'booking-updates' };
let stack: PrivateStack;
const started = Date.now();

beforeAll(async () => {
  stack = await startPrivateStack({ kafkaSecurity: 'scram' });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  log(`kafka-sasl-acls file took ${seconds(started)}s`);
});

/**
 * A kafkajs client that gives up quickly: these tests expect refusals. With `heard`, its debug
 * logs are kept there: kafkajs logs some broker errors (a refused FindCoordinator) only there.
 */
function client(sasl: SASLOptions | undefined, brokers = stack.brokers, heard?: string[]): Kafka {
  return new Kafka({
    brokers,
    clientId: `sasl-test-${randomUUID().slice(0, 8)}`,
    logLevel: heard ? logLevel.DEBUG : logLevel.NOTHING,
    logCreator: () => (entry) => {
      const error = (entry.log as { error?: { type?: string; message?: string } | string }).error;
      if (heard && error) {
        heard.push(typeof error === 'string' ? error : `${error.type} ${error.message}`);
      }
    },
    retry: { retries: 1, initialRetryTime: 100 },
    connectionTimeout: 3_000,
    ...(sasl ? { sasl } : {}),
  });
}

/** Every `type` and `name` along an error's cause chain (kafkajs wraps protocol errors). */
function errorKinds(error: unknown): string[] {
  const kinds: string[] = [];
  for (let e = error as any; e; e = e.cause ?? e.originalError) {
    if (e.type) kinds.push(String(e.type));
    if (e.name) kinds.push(String(e.name));
    if (kinds.length > 20) break;
  }
  return kinds;
}

/** Produces one record with an idempotent kafkajs producer; resolves with the error, if any. */
async function tryProduce(
  sasl: SASLOptions | undefined,
  topic: string,
  key: string,
  brokers?: string[],
): Promise<unknown> {
  const producer = client(sasl, brokers).producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key, value: '{"forged":true}' }] });
    return null;
  } catch (error) {
    return error;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/**
 * Tries to read `topic` in `groupId` as `role`: resolves with the error that stops it, or null
 * once a message arrives (or the topic turns out empty but readable).
 */
async function tryConsume(
  role: KafkaRole,
  groupId: string,
  topic: string,
  heard?: string[],
): Promise<unknown> {
  const consumer = client(stack.kafkaSasl(role), stack.brokers, heard).consumer({
    groupId,
    retry: { retries: 0 },
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<unknown>((resolve) => {
      const timer = setTimeout(() => resolve(null), 15_000);
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        clearTimeout(timer);
        resolve(payload.error);
      });
      consumer
        .run({
          eachMessage: async () => {
            clearTimeout(timer);
            resolve(null);
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          resolve(error);
        });
    });
  } catch (error) {
    return error;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

async function keysOn(topic: string): Promise<(string | null)[]> {
  return (await stack.readTopic(topic)).map((m) => m.key);
}

describe('Kafka with SASL/SCRAM and ACLs (STAYSAGA_KAFKA_SECURITY=scram)', () => {
  it('holds exactly the ACL plan of kafka/acl-plan.ts, and no principal shares a password', async () => {
    const admin = client(stack.kafkaSasl('admin')).admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeAcls({
        resourceType: 1, // ANY
        resourcePatternType: 1, // ANY
        operation: 1, // ANY
        permissionType: 1, // ANY
      });
      const held = resources.flatMap((r) =>
        r.acls.map((a) =>
          [r.resourceType, r.resourceName, r.resourcePatternType, a.principal, a.operation].join(),
        ),
      );
      const planned = toKafkajsAcls(aclPlan(TOPICS)).map((a) =>
        [a.resourceType, a.resourceName, a.resourcePatternType, a.principal, a.operation].join(),
      );
      expect(held.sort()).toEqual(planned.sort());
    } finally {
      await admin.disconnect();
    }
    const principals = Object.values(stack.kafkaPrincipals!);
    expect(principals.map((p) => p.username).sort()).toEqual(
      Object.values(KAFKA_PRINCIPALS).sort(),
    );
    expect(new Set(principals.map((p) => p.password)).size).toBe(principals.length);
  });

  it('refuses a producer without credentials: kafkajs without SASL, and the console producer', async () => {
    const key = `anonymous-${randomUUID()}`;
    const kafkajsError = await tryProduce(undefined, TOPICS.updates, key);
    expect(kafkajsError).toBeTruthy();
    log(`kafkajs without SASL: ${errorKinds(kafkajsError).join(' < ')}`);
    const wrongPassword = await tryProduce(
      { mechanism: 'scram-sha-512', username: KAFKA_PRINCIPALS.owner, password: 'guessed' },
      TOPICS.updates,
      key,
    );
    expect(errorKinds(wrongPassword)).toContain('KafkaJSSASLAuthenticationError');

    const t0 = Date.now();
    const refused = await produceWithConsoleProducer({
      brokers: stack.brokers,
      topic: TOPICS.updates,
      records: [{ key, value: '{"type":"booking-status-updated","status":"ACCEPTED"}' }],
      timeoutMs: 6_000,
    }).then(
      () => null,
      (error: unknown) => error,
    );
    log(`console producer without credentials refused in ${seconds(t0)}s`);
    expect(refused).toBeInstanceOf(ConsoleProducerError);
    expect((refused as ConsoleProducerError).exitCode).toBe(1);
    expect((refused as Error).message).toMatch(/no credentials/);
    // The broker hung up on the unauthenticated client: the metadata never came.
    expect((refused as Error).message).toMatch(/not present in metadata|disconnected/);

    expect(await keysOn(TOPICS.updates)).not.toContain(key);
  });

  it('lets nobody produce through the controller listener, not even with valid credentials', async () => {
    const controller = [`127.0.0.1:${stack.ports.kafkaController}`];
    const key = `controller-${randomUUID()}`;
    const anonymous = await tryProduce(undefined, TOPICS.updates, key, controller);
    expect(anonymous).toBeTruthy();
    // SCRAM is not enabled there (PLAIN against the node's own static user only).
    const owner = await tryProduce(stack.kafkaSasl('owner'), TOPICS.updates, key, controller);
    expect(owner).toBeTruthy();
    log(
      `controller listener: anonymous ${errorKinds(anonymous)[0]}, owner ${errorKinds(owner)[0]}`,
    );
    expect(await keysOn(TOPICS.updates)).not.toContain(key);
  });

  it("keeps every role to its own topics: the traveler side cannot write an owner's decision", async () => {
    const key = `forged-${randomUUID()}`;
    // The worker's principal (it publishes booking-created) cannot write booking-updates...
    const travelerForges = await tryProduce(stack.kafkaSasl('traveler'), TOPICS.updates, key);
    expect(errorKinds(travelerForges)).toContain('TOPIC_AUTHORIZATION_FAILED');
    // ...and the owner side cannot write booking-requests.
    const ownerRequests = await tryProduce(stack.kafkaSasl('owner'), TOPICS.requests, key);
    expect(errorKinds(ownerRequests)).toContain('TOPIC_AUTHORIZATION_FAILED');
    // The consumers cannot write what they consume, only its dead-letter topic.
    const bridgeForges = await tryProduce(stack.kafkaSasl('bridge'), TOPICS.updates, key);
    expect(errorKinds(bridgeForges)).toContain('TOPIC_AUTHORIZATION_FAILED');

    // Kafka's console producer is refused the same way.
    const consoleRefused = await produceWithConsoleProducer({
      brokers: stack.brokers,
      topic: TOPICS.updates,
      records: [{ key, value: '{"forged":true}' }],
      sasl: { mechanism: 'scram-sha-512', ...stack.kafkaPrincipals!.traveler },
      timeoutMs: 6_000,
    }).then(
      () => null,
      (error: unknown) => error,
    );
    expect((consoleRefused as Error).message).toMatch(
      /TopicAuthorizationException|TOPIC_AUTHORIZATION_FAILED/,
    );

    // A consumer principal cannot read the other topic, nor join the other consumer's group.
    const notifierReadsUpdates = await tryConsume('notifier', NOTIFIER_GROUP_ID, TOPICS.updates);
    expect(errorKinds(notifierReadsUpdates)).toContain('TOPIC_AUTHORIZATION_FAILED');
    const bridgeReadsRequests = await tryConsume('bridge', BRIDGE_GROUP_ID, TOPICS.requests);
    expect(errorKinds(bridgeReadsRequests)).toContain('TOPIC_AUTHORIZATION_FAILED');
    // kafkajs reports a refused FindCoordinator as "coordinator not found"; its log says why.
    const heard: string[] = [];
    const notifierInBridgeGroup = await tryConsume(
      'notifier',
      BRIDGE_GROUP_ID,
      TOPICS.requests,
      heard,
    );
    expect(errorKinds(notifierInBridgeGroup)).toContain('KafkaJSGroupCoordinatorNotFound');
    expect(heard.join(' ')).toMatch(/GROUP_AUTHORIZATION_FAILED|Group authorization failed/);

    expect(await keysOn(TOPICS.updates)).not.toContain(key);
    expect(await keysOn(TOPICS.requests)).not.toContain(key);
  });

  it('lets the owner side write booking-updates (idempotent kafkajs and the console producer)', async () => {
    const key = `owner-${randomUUID()}`;
    expect(await tryProduce(stack.kafkaSasl('owner'), TOPICS.updates, key)).toBeNull();
    await produceWithConsoleProducer({
      brokers: stack.brokers,
      topic: TOPICS.updates,
      records: [{ key, value: '{"sent":"by the console producer"}' }],
      sasl: { mechanism: 'scram-sha-512', ...stack.kafkaPrincipals!.owner },
    });
    const mine = (await stack.readTopic(TOPICS.updates)).filter((m) => m.key === key);
    expect(mine.map((m) => m.value)).toEqual([
      { forged: true },
      { sent: 'by the console producer' },
    ]);
  });

  it('runs the saga end to end with each component in its own process under its own principal', async () => {
    const t0 = Date.now();
    // api as staysaga-owner, worker as staysaga-traveler, bridge and notifier as themselves.
    const roles = COMPONENT_ROLES;
    const processes = await Promise.all(
      (Object.entries(roles) as [keyof typeof roles, KafkaRole][]).map(([component, role]) =>
        stack.startComponents([component], {
          label: `${component}-as-${role}`,
          // Three processes without the API: each its own free health port.
          env: { ...stack.kafkaEnv(role), HEALTH_PORT: '0' },
          readyTimeoutMs: 200_000,
        }),
      ),
    );
    log(`four components up, one principal each, in ${seconds(t0)}s`);
    for (const [component, role] of Object.entries(roles)) {
      const proc = processes.find((p) => p.label.startsWith(`${component}-`))!;
      expect(proc.output()).toContain(`kafkaPrincipal=${KAFKA_PRINCIPALS[role as KafkaRole]}`);
    }

    const owner = await stack.api.signUp('owner');
    const traveler = await stack.api.signUp('traveler');
    // Live events: the worker (staysaga-traveler) and the notifier write them, the API
    // (staysaga-owner) reads them all in a group of its own, granted by prefix.
    const live = (who: { token: string }) =>
      openEventStream(`${stack.apiUrl}/api/events`, { token: who.token });
    const [ownerLive, travelerLive] = [await live(owner), await live(traveler)];
    await ownerLive.waitFor((e) => e.event === 'ready');
    await travelerLive.waitFor((e) => e.event === 'ready');
    const property = await stack.api.createProperty(owner);
    const bookingId = await stack.api.requestBooking(traveler, {
      propertyId: property.id,
      checkIn: daysFromNow(30),
      checkOut: daysFromNow(33),
    });
    // The notifier (staysaga-notifier) read the worker's (staysaga-traveler) booking-created.
    await eventually(
      async () => {
        const res = await stack.api.call('/api/notifications?limit=100', { token: owner.token });
        expect(res.status).toBe(200);
        const requested = res.body.notifications.filter(
          (n: { kind: string; bookingId?: string }) =>
            n.kind === 'booking-requested' && n.bookingId === bookingId,
        );
        expect(requested).toHaveLength(1);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    // The API (staysaga-owner) publishes the decision; the bridge (staysaga-bridge) applies it.
    const decidedAt = Date.now();
    const eventId = await stack.api.decide(owner, bookingId, 'approve');
    const booking = await eventually(
      async () => {
        const res = await stack.api.call(`/api/bookings/${bookingId}`, {
          token: traveler.token,
        });
        expect(res.status).toBe(200);
        expect(res.body.booking.status).toBe('ACCEPTED');
        return res.body.booking;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    log(`decision applied ${seconds(decidedAt)}s after the approve`);
    expect(JSON.stringify(booking)).toContain(eventId);
    const liveOf = (stream: SseStream, event: string, what: (data: any) => boolean) =>
      stream.waitFor((e) => e.event === event && what(dataOf(e)), { timeoutMs: 30_000 });
    try {
      await liveOf(
        ownerLive,
        'booking-status',
        (d) => d.bookingId === bookingId && d.status === 'PENDING',
      );
      await liveOf(ownerLive, 'notification', (d) => d.notification.kind === 'booking-requested');
      await liveOf(
        travelerLive,
        'booking-status',
        (d) => d.bookingId === bookingId && d.status === 'ACCEPTED',
      );
      await liveOf(travelerLive, 'notification', (d) => d.notification.kind === 'booking-accepted');
    } finally {
      ownerLive.close();
      travelerLive.close();
    }
    log('live events reached both parties through the API');

    const created = (await stack.readTopic(TOPICS.requests)).filter((m) => m.key === bookingId);
    expect(created.map((m) => m.value.type)).toEqual(['booking-created']);
    const decisions = (await stack.readTopic(TOPICS.updates)).filter((m) => m.key === bookingId);
    expect(decisions.map((m) => m.value.status)).toEqual(['ACCEPTED']);
    // Nobody failed to authorize: no process logged an authorization error.
    for (const proc of processes) {
      expect(proc.output(), proc.label).not.toMatch(/AUTHORIZATION_FAILED|not authorized/i);
    }
    log(`saga end to end took ${seconds(t0)}s`);
  }, 420_000);

  it('dead-letters a malformed decision the owner principal produced (the bridge may write the DLT)', async () => {
    const key = `malformed-${randomUUID()}`;
    await produceWithConsoleProducer({
      brokers: stack.brokers,
      topic: TOPICS.updates,
      records: [{ key, value: '{"type":"booking-status-updated","status":' }],
      sasl: { mechanism: 'scram-sha-512', ...stack.kafkaPrincipals!.owner },
    });
    const dead = await eventually(
      async () => {
        const letters = (await stack.readTopic('booking-updates.DLT')).filter((m) => m.key === key);
        expect(letters).toHaveLength(1);
        return letters[0]!;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(dead.headers).toMatchObject({
      'x-dead-letter-reason': 'malformed-json',
      'x-original-topic': TOPICS.updates,
      'x-consumer-group': BRIDGE_GROUP_ID,
    });
    expect(dead.value).toBe('{"type":"booking-status-updated","status":');
  });
});
