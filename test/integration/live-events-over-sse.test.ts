/**
 * Live events (`GET /api/events`, Server-Sent Events) on the real stack, through two API
 * processes: the suite's system (API #1, with the worker, bridge and notifier) and a second API
 * process started here (API #2, heartbeats every second). Both read the live-events topic, so a
 * stream on either one hears every event of its user, and a reconnecting client is replayed
 * exactly what it missed, on either one.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { notificationEvent } from '../../kafka/live-events.js';
import { freePorts } from '../../stack/ports.js';
import {
  api,
  createProperty,
  daysFromNow,
  requestBooking,
  signUp,
  type Actor,
} from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { startExtraProcess, stopExtraProcesses } from '../support/extra-process.js';
import { dataOf, openEventStream, type SseEvent, type SseStream } from '../support/sse-client.js';

let api1: string;
let api2: string;
const streams: SseStream[] = [];
/** Waits for the saga and the consumers on a busy 2-core machine: not a performance bound. */
const SAGA_STEP_MS = 30_000;

beforeAll(async () => {
  api1 = inject('apiUrl');
  const [port] = (await freePorts(1)) as [number];
  api2 = `http://127.0.0.1:${port}`;
  await startExtraProcess(
    ['processes/main.ts', 'api'],
    { PORT: String(port), LIVE_EVENTS_HEARTBEAT: '1s' },
    /listening/,
  );
});

afterAll(() => {
  for (const stream of streams) stream.close();
  stopExtraProcesses();
});

async function connect(base: string, who: Actor, options: { lastEventId?: string } = {}) {
  const stream = await openEventStream(`${base}/api/events`, { token: who.token, ...options });
  streams.push(stream);
  expect(stream.status, JSON.stringify(stream.body)).toBe(200);
  await stream.waitFor((e) => e.event === 'ready');
  return stream;
}

const statusOf =
  (bookingId: string, status: string) =>
  (e: SseEvent): boolean =>
    e.event === 'booking-status' &&
    dataOf(e).bookingId === bookingId &&
    dataOf(e).status === status;

const notificationOf =
  (bookingId: string, kind: string) =>
  (e: SseEvent): boolean =>
    e.event === 'notification' &&
    dataOf(e).notification.bookingId === bookingId &&
    dataOf(e).notification.kind === kind;

/** The events a stream heard after its `ready` (or all of them), as `name status|kind`. */
function heardAfterReady(stream: SseStream, { includeReplay = false } = {}) {
  const ready = stream.events.findIndex((e) => e.event === 'ready');
  return stream.events
    .slice(includeReplay ? 0 : ready + 1)
    .filter((e) => e.event !== 'ready')
    .map((e) =>
      e.event === 'booking-status'
        ? `booking-status ${dataOf(e).status}`
        : `${e.event} ${dataOf(e).notification?.kind ?? ''}`,
    );
}

async function bookAStay(traveler: Actor, owner: Actor, dayOffset: number) {
  const property = await createProperty(owner, { name: `Live ${dayOffset}` });
  const created = await requestBooking(traveler, {
    propertyId: property.id,
    checkIn: daysFromNow(dayOffset),
    checkOut: daysFromNow(dayOffset + 2),
    guests: 2,
  });
  expect(created.status).toBe(201);
  return { property, booking: created.body.booking as { id: string } };
}

function approve(owner: Actor, bookingId: string) {
  return api(`/api/owners/bookings/${bookingId}/approve`, { method: 'PUT', token: owner.token });
}

describe('GET /api/events', () => {
  it('refuses a stream without a session: 401 with the JSON error', async () => {
    for (const token of [undefined, 'not-a-session']) {
      const stream = await openEventStream(`${api1}/api/events`, { token });
      expect(stream.status).toBe(401);
      expect(stream.headers.get('content-type')).toMatch(/^application\/json/);
      expect(stream.body).toEqual({ error: { code: 'unauthenticated', message: 'Log in first' } });
    }
  });

  it('tells the owner of a new request, both parties of the decision, each of their own notifications', async () => {
    const [owner, traveler] = await Promise.all([signUp('owner'), signUp('traveler')]);
    const [ownerStream, travelerStream] = await Promise.all([
      connect(api1, owner),
      connect(api1, traveler),
    ]);
    expect(travelerStream.headers.get('content-type')).toBe('text/event-stream');
    const { property, booking } = await bookAStay(traveler, owner, 300);

    const pending = await ownerStream.waitFor(statusOf(booking.id, 'PENDING'), {
      timeoutMs: SAGA_STEP_MS,
    });
    expect(dataOf(pending)).toEqual({
      bookingId: booking.id,
      propertyId: property.id,
      propertyName: property.name,
      status: 'PENDING',
      previousStatus: null,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      role: 'owner',
    });
    expect(pending.id).toMatch(/^\d+-\d+$/);
    await ownerStream.waitFor(notificationOf(booking.id, 'booking-requested'), {
      timeoutMs: SAGA_STEP_MS,
    });
    await travelerStream.waitFor(notificationOf(booking.id, 'booking-pending'), {
      timeoutMs: SAGA_STEP_MS,
    });

    expect((await approve(owner, booking.id)).status).toBe(202);
    const [forTraveler, forOwner] = await Promise.all([
      travelerStream.waitFor(statusOf(booking.id, 'ACCEPTED'), { timeoutMs: SAGA_STEP_MS }),
      ownerStream.waitFor(statusOf(booking.id, 'ACCEPTED'), { timeoutMs: SAGA_STEP_MS }),
    ]);
    expect(dataOf(forTraveler)).toMatchObject({
      bookingId: booking.id,
      propertyId: property.id,
      status: 'ACCEPTED',
      previousStatus: 'PENDING',
      role: 'traveler',
    });
    expect(dataOf(forOwner)).toMatchObject({ status: 'ACCEPTED', role: 'owner' });
    expect(dataOf(forOwner).at).toBe(dataOf(forTraveler).at);

    // The traveler's notification, exactly as their list shows it.
    const accepted = await travelerStream.waitFor(notificationOf(booking.id, 'booking-accepted'), {
      timeoutMs: SAGA_STEP_MS,
    });
    const list = await api('/api/notifications', { token: traveler.token });
    const stored = list.body.notifications.find(
      (n: { kind: string }) => n.kind === 'booking-accepted',
    );
    expect(dataOf(accepted)).toEqual({ notification: stored });
    expect(stored).toMatchObject({ title: 'Booking accepted', read: false });

    // Each heard only their own, once each; ids grow along the user's partition.
    expect(heardAfterReady(travelerStream)).toEqual([
      'notification booking-pending',
      'booking-status ACCEPTED',
      'notification booking-accepted',
    ]);
    expect(heardAfterReady(ownerStream)).toEqual([
      'booking-status PENDING',
      'notification booking-requested',
      'booking-status ACCEPTED',
    ]);
    const offsets = travelerStream.events
      .filter((e) => e.event !== 'ready')
      .map((e) => e.id.split('-').map(Number));
    expect(new Set(offsets.map(([partition]) => partition)).size).toBe(1);
    expect(offsets.map(([, offset]) => offset)).toEqual(
      offsets.map(([, offset]) => offset).sort((a, b) => a! - b!),
    );
  });

  it('replays exactly what a reconnecting client missed (Last-Event-ID or ?lastEventId=), on either API', async () => {
    const [owner, traveler] = await Promise.all([signUp('owner'), signUp('traveler')]);
    const first = await connect(api1, traveler);
    const { booking } = await bookAStay(traveler, owner, 310);
    await first.waitFor(notificationOf(booking.id, 'booking-pending'), { timeoutMs: SAGA_STEP_MS });
    const lastSeen = first.lastEventId;
    first.close();

    // While the traveler is away: a witness stream on API #2 shows when its buffer has both.
    const witness = await connect(api2, traveler);
    expect((await approve(owner, booking.id)).status).toBe(202);
    await witness.waitFor(notificationOf(booking.id, 'booking-accepted'), {
      timeoutMs: SAGA_STEP_MS,
    });
    const missed = ['booking-status ACCEPTED', 'notification booking-accepted'];
    expect(heardAfterReady(witness)).toEqual(missed);

    // On API #2, which holds them: replayed before `ready`, nothing at or before the last id.
    const back = await connect(api2, traveler, { lastEventId: lastSeen });
    const ready = back.events.find((e) => e.event === 'ready')!;
    expect(dataOf(ready)).toEqual({ replayed: 2 });
    expect(heardAfterReady(back, { includeReplay: true })).toEqual(missed);
    expect(back.events.slice(0, 2).map((e) => e.id)).toEqual(
      witness.events.filter((e) => e.event !== 'ready').map((e) => e.id),
    );

    // On API #1, with the id as a query parameter: the same events, once each.
    const viaQuery = await openEventStream(
      `${api1}/api/events?lastEventId=${encodeURIComponent(lastSeen)}`,
      { token: traveler.token },
    );
    streams.push(viaQuery);
    await viaQuery.waitFor(notificationOf(booking.id, 'booking-accepted'), {
      timeoutMs: SAGA_STEP_MS,
    });
    expect(heardAfterReady(viaQuery, { includeReplay: true })).toEqual(missed);
    // The header wins over the query parameter (a browser resends the newer id there).
    const both = await openEventStream(
      `${api1}/api/events?lastEventId=${encodeURIComponent(lastSeen)}`,
      { token: traveler.token, lastEventId: back.lastEventId },
    );
    streams.push(both);
    await both.waitFor((e) => e.event === 'ready');
    expect(dataOf(both.events.find((e) => e.event === 'ready')!)).toEqual({ replayed: 0 });
  });

  it('says when it cannot replay from an id (resync), and reads no id from junk', async () => {
    const traveler = await signUp('traveler');
    const gone = await connect(api1, traveler, { lastEventId: '99-5' });
    expect(gone.events.map((e) => e.event)).toEqual(['resync', 'ready']);
    const junk = await connect(api1, traveler, { lastEventId: 'yesterday' });
    expect(junk.events.map((e) => e.event)).toEqual(['ready']);
    const tooLong = await openEventStream(`${api1}/api/events?lastEventId=${'9'.repeat(50)}`, {
      token: traveler.token,
    });
    expect(tooLong.status).toBe(400);
  });

  it('keeps an idle stream open with heartbeats that carry an id to reconnect from', async () => {
    const [owner, traveler] = await Promise.all([signUp('owner'), signUp('traveler')]);
    const stream = await connect(api2, owner);
    const { booking } = await bookAStay(traveler, owner, 330);
    const last = await stream.waitFor(notificationOf(booking.id, 'booking-requested'), {
      timeoutMs: SAGA_STEP_MS,
    });
    const beats = stream.comments.length;
    await stream.waitForComment('heartbeat', { count: beats + 2, timeoutMs: 10_000 });
    expect(stream.ended).toBe(false);
    // The id stands for "everything so far" (messages for others included): on the partition
    // of the owner's events, never before the last one, and reconnecting with it replays nothing.
    const [partition, offset] = stream.lastEventId.split('-').map(Number);
    const [lastPartition, lastOffset] = last.id.split('-').map(Number);
    expect(partition).toBe(lastPartition);
    expect(offset).toBeGreaterThanOrEqual(lastOffset!);
    const back = await connect(api2, owner, { lastEventId: stream.lastEventId });
    expect(back.events.map((e) => e.event)).toEqual(['ready']);
  });

  it('ends the stream at the next heartbeat once the session is logged out', async () => {
    const traveler = await signUp('traveler');
    const stream = await connect(api2, traveler);
    const out = await api('/api/auth/logout', { method: 'POST', token: traveler.token });
    expect(out.status).toBe(204);
    await eventually(() => expect(stream.ended).toBe(true), { timeoutMs: 10_000 });
    const again = await openEventStream(`${api2}/api/events`, { token: traveler.token });
    expect(again.status).toBe(401);
  });

  it('keeps a re-published event once, skips a message it cannot read, and streams on', async () => {
    const traveler = await signUp('traveler');
    const stream = await connect(api1, traveler);
    const kafka = new Kafka({ brokers: [inject('kafkaBrokers')], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    try {
      // Straight onto the topic, keyed like the producers key it: the traveler's partition.
      const send = (value: string) =>
        producer.send({ topic: 'user-events', messages: [{ key: traveler.id, value }] });
      const notification = (kind: string) =>
        notificationEvent({
          id: randomBytes(12).toString('hex'),
          userId: traveler.id,
          kind,
          title: kind,
          body: 'Sent by the test',
          createdAt: new Date().toISOString(),
          read: false,
        });
      const first = notification('test-first');
      await send(JSON.stringify(first));
      await send(JSON.stringify(first)); // a retried activity publishes it again
      await send('{"type":"notification",'); // not JSON
      await send(JSON.stringify({ ...first, eventId: 'other', userId: 'nobody' })); // off contract
      await send(JSON.stringify(notification('test-second')));
      await stream.waitFor(
        (e) => e.event === 'notification' && dataOf(e).notification.kind === 'test-second',
      );
    } finally {
      await producer.disconnect();
    }
    expect(heardAfterReady(stream)).toEqual([
      'notification test-first',
      'notification test-second',
    ]);
    const [first, second] = stream.events.slice(-2).map((e) => Number(e.id.split('-')[1]));
    expect(second! - first!).toBe(4); // the three in between were read, and passed over
  });

  it('gets a decision PUT through API #1 to a stream on API #2 within 2 s', async () => {
    const [owner, traveler] = await Promise.all([signUp('owner'), signUp('traveler')]);
    const stream = await connect(api2, traveler);
    const { booking } = await bookAStay(traveler, owner, 320);
    // The saga waits for the decision once it told the traveler of the request (its last step).
    await stream.waitFor(notificationOf(booking.id, 'booking-pending'), {
      timeoutMs: SAGA_STEP_MS,
    });

    const putAt = performance.now();
    expect((await approve(owner, booking.id)).status).toBe(202);
    // The functional deadline, from the owner's PUT to the event on the other API.
    const deadline = Math.max(0, 2_000 - (performance.now() - putAt));
    const accepted = await stream.waitFor(statusOf(booking.id, 'ACCEPTED'), {
      timeoutMs: deadline,
    });
    process.stdout.write(
      `[live-events] PUT on API #1 to ACCEPTED on API #2: ${(accepted.receivedAt - putAt).toFixed(0)} ms\n`,
    );
  });
});
