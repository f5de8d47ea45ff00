/**
 * The `booking-updates` bridge on the real stack: a decision delivered many times applies once;
 * what can never apply goes to the dead-letter topic with headers saying why, and the consumer
 * keeps going; two bridge instances share the partitions and survive a rebalance mid-stream.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../config/logger.js';
import { bookingWorkflowId } from '../../domain/ids.js';
import {
  receivedBookingStatusUpdated,
  type BookingStatusUpdatedMessage,
} from '../../domain/messages.js';
import { Booking } from '../../db/models.js';
import { createKafka } from '../../kafka/client.js';
import { BookingEventPublisher } from '../../kafka/publisher.js';
import { startValidatedConsumer } from '../../kafka/validated-consumer.js';
import { bookingStatusQuery } from '../../workflows/booking-definitions.js';
import { forwardDecisionToSaga } from '../../kafka/booking-handlers.js';
import { BRIDGE_GROUP_ID } from '../../processes/booking-updates-bridge.js';
import {
  createProperty,
  daysFromNow,
  requestBooking,
  signUp,
  type Actor,
} from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import {
  connectTemporalClient,
  connectTestDatabase,
  disconnectTestDatabase,
} from '../support/stack-clients.js';
import { TopicRecorder } from '../support/topic-recorder.js';

let temporal: Client;
let producer: Producer;
let recorder: TopicRecorder;
let owner: Actor;
let traveler: Actor;
let property: { id: string };
let nextDay = 300;
/** Each booking's own traveler: a traveler may hold only a few PENDING requests at once. */
const travelerOf = new Map<string, Actor>();

beforeAll(async () => {
  await connectTestDatabase();
  temporal = await connectTemporalClient();
  const kafka = new Kafka({
    brokers: inject('kafkaBrokers').split(','),
    logLevel: logLevel.NOTHING,
  });
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  recorder = await TopicRecorder.start(['booking-updates', 'booking-updates.DLT']);
  [owner, traveler] = await Promise.all([signUp('owner'), signUp('traveler')]);
  property = await createProperty(owner);
});

afterAll(async () => {
  await recorder?.stop();
  await producer?.disconnect();
  await temporal?.connection.close();
  await disconnectTestDatabase();
});

async function pendingBooking(): Promise<string> {
  nextDay += 3;
  const day = nextDay; // taken before the first await: calls run concurrently
  const guest = await signUp('traveler');
  const res = await requestBooking(guest, {
    propertyId: property.id,
    checkIn: daysFromNow(day),
    checkOut: daysFromNow(day + 2),
    guests: 2,
  });
  expect(res.status).toBe(201);
  travelerOf.set(res.body.booking.id as string, guest);
  return res.body.booking.id as string;
}

function decision(
  bookingId: string,
  status: 'ACCEPTED' | 'REJECTED' = 'ACCEPTED',
): BookingStatusUpdatedMessage {
  return {
    type: 'booking-status-updated',
    bookingId,
    status,
    travelerId: (travelerOf.get(bookingId) ?? traveler).id,
    ownerId: owner.id,
    timestamp: new Date().toISOString(),
    eventId: randomUUID(),
    version: 1,
  };
}

async function publish(key: string, value: string) {
  await producer.send({ topic: 'booking-updates', messages: [{ key, value }] });
}

async function statusOf(bookingId: string) {
  return (await Booking.findById(bookingId).lean())?.status;
}

async function deadLetterFor(key: string) {
  return recorder.waitFor('booking-updates.DLT', (m) => m.key === key);
}

describe('the booking-updates bridge', () => {
  it('applies a decision delivered 5 times exactly once', async () => {
    const bookingId = await pendingBooking();
    const message = JSON.stringify(decision(bookingId));
    for (let i = 0; i < 5; i++) await publish(bookingId, message);

    await eventually(async () => expect(await statusOf(bookingId)).toBe('ACCEPTED'));
    const state = await eventually(async () => {
      const s = await temporal.workflow
        .getHandle(bookingWorkflowId(bookingId))
        .query(bookingStatusQuery);
      expect(s.ignoredDecisions).toHaveLength(4);
      return s;
    });
    expect(state.transitions.filter((t) => t.to === 'ACCEPTED')).toHaveLength(1);
    expect(state.ignoredDecisions.every((d) => d.ignoreReason === 'duplicate')).toBe(true);
    const doc = await Booking.findById(bookingId).lean();
    expect(doc?.history.filter((h) => h.to === 'ACCEPTED')).toHaveLength(1);
  });

  it('dead-letters malformed JSON, a wrong schema and an unknown booking, then applies the next valid decision', async () => {
    const bookingId = await pendingBooking();
    const malformedKey = `malformed-${randomUUID()}`;
    const wrongSchemaKey = `schema-${randomUUID()}`;
    const unknownBooking = new mongoose.Types.ObjectId().toString();
    await publish(malformedKey, '{"type":"booking-status-updated",');
    await publish(
      wrongSchemaKey,
      JSON.stringify({ ...decision(bookingId), status: 'MAYBE', eventId: 'nope' }),
    );
    await publish(unknownBooking, JSON.stringify(decision(unknownBooking)));
    await publish(bookingId, JSON.stringify(decision(bookingId, 'REJECTED')));

    const malformed = await deadLetterFor(malformedKey);
    expect(malformed.raw).toBe('{"type":"booking-status-updated",');
    expect(malformed.headers).toMatchObject({
      'x-dead-letter-reason': 'malformed-json',
      'x-original-topic': 'booking-updates',
      'x-consumer-group': BRIDGE_GROUP_ID,
    });
    const original = recorder.matching('booking-updates', (m) => m.key === malformedKey)[0];
    expect(malformed.headers['x-original-offset']).toBe(original?.offset);
    expect(malformed.headers['x-original-partition']).toBe(String(original?.partition));

    const wrong = await deadLetterFor(wrongSchemaKey);
    expect(wrong.headers['x-dead-letter-reason']).toBe('schema-violation');
    expect(wrong.headers['x-dead-letter-detail']).toMatch(/status/);
    // Any non-empty eventId is one (the seed's peers need not write UUIDs): only the status is wrong.
    expect(wrong.headers['x-dead-letter-detail']).not.toMatch(/eventId/);

    const unknown = await deadLetterFor(unknownBooking);
    expect(unknown.headers['x-dead-letter-reason']).toBe('unknown-booking');

    await eventually(async () => expect(await statusOf(bookingId)).toBe('REJECTED'));
  });

  it('dead-letters a decision for a booking whose saga already finished', async () => {
    const bookingId = await pendingBooking();
    await publish(bookingId, JSON.stringify(decision(bookingId, 'REJECTED')));
    await temporal.workflow.getHandle(bookingWorkflowId(bookingId)).result();
    const late = decision(bookingId, 'ACCEPTED');
    await publish(`${bookingId}`, JSON.stringify(late));
    const dead = await recorder.waitFor(
      'booking-updates.DLT',
      (m) => m.key === bookingId && (m.value as { eventId?: string })?.eventId === late.eventId,
    );
    expect(dead.headers['x-dead-letter-reason']).toBe('booking-finished');
    expect(await statusOf(bookingId)).toBe('REJECTED');
  });

  it('shares partitions with a second instance and loses nothing across the rebalance', async () => {
    const log = createLogger('second-bridge', 'error');
    const kafka = createKafka('second-bridge', inject('kafkaBrokers').split(','), log);
    const topics = { requests: 'booking-requests', updates: 'booking-updates' };
    const publisher = await BookingEventPublisher.connect(kafka, topics);
    const bookings = await Promise.all(Array.from({ length: 12 }, () => pendingBooking()));

    const firstHalf = bookings.slice(0, 6);
    const secondHalf = bookings.slice(6);
    const second = await startValidatedConsumer({
      kafka,
      groupId: BRIDGE_GROUP_ID,
      topic: 'booking-updates',
      schema: receivedBookingStatusUpdated,
      publisher,
      log,
      handle: forwardDecisionToSaga(temporal, log),
    });
    // Decisions flow while the group rebalances to two members...
    for (const id of firstHalf) await publish(id, JSON.stringify(decision(id)));
    const admin = kafka.admin();
    await admin.connect();
    await eventually(async () => {
      const [group] = (await admin.describeGroups([BRIDGE_GROUP_ID])).groups;
      expect(group?.members.length).toBe(2);
    });
    // ...and while it rebalances back to one.
    for (const id of secondHalf) await publish(id, JSON.stringify(decision(id)));
    await second.stop();
    await eventually(async () => {
      const [group] = (await admin.describeGroups([BRIDGE_GROUP_ID])).groups;
      expect(group?.members.length).toBe(1);
    });
    await admin.disconnect();
    await publisher.disconnect();

    await eventually(
      async () => {
        const statuses = await Promise.all(bookings.map(statusOf));
        expect(statuses).toEqual(bookings.map(() => 'ACCEPTED'));
      },
      { timeoutMs: 60_000 },
    );
    const docs = await Booking.find({ _id: { $in: bookings } }).lean();
    for (const doc of docs) expect(doc.history.filter((h) => h.to === 'ACCEPTED')).toHaveLength(1);
  });
});
