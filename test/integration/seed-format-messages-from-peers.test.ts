/**
 * The seed's contract as another team's service speaks it: the example messages printed in the
 * seed document, field for field (real ids substituted), with no eventId and no version, go
 * through both consumers; a decision is applied once however many copies arrive; a message of
 * a later schema version is dead-lettered with its own reason. Messages are produced as raw
 * bytes, not through our publisher, and once through Kafka's own console producer.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Booking, Notification } from '../../db/models.js';
import { bookingWorkflowId } from '../../domain/ids.js';
import { bookingStatusQuery } from '../../workflows/booking-definitions.js';
import { produceWithConsoleProducer } from '../../stack/kafka-console.js';
import {
  api,
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

/** The seed document's `booking-created` example, exactly as printed there. */
const SEED_BOOKING_CREATED = `{
  "type": "booking-created",
  "bookingId": "507f1f77bcf86cd799439011",
  "propertyId": "507f1f77bcf86cd799439012",
  "propertyName": "Luxury Beach Villa",
  "travelerId": "507f1f77bcf86cd799439013",
  "ownerId": "507f1f77bcf86cd799439014",
  "checkIn": "2025-12-01T00:00:00.000Z",
  "checkOut": "2025-12-05T00:00:00.000Z",
  "guests": 4,
  "totalPrice": 1200,
  "timestamp": "2025-11-19T10:30:00.000Z"
}`;

/** The seed document's `booking-status-updated` example, exactly as printed there. */
const SEED_BOOKING_STATUS_UPDATED = `{
  "type": "booking-status-updated",
  "bookingId": "507f1f77bcf86cd799439011",
  "status": "ACCEPTED",
  "reason": "Optional cancellation reason",
  "travelerId": "507f1f77bcf86cd799439013",
  "ownerId": "507f1f77bcf86cd799439014",
  "timestamp": "2025-11-19T11:00:00.000Z"
}`;

/** The seed example with the seed's ids replaced by real ones (and any other field changed). */
function seedExample(template: string, values: Record<string, string>): string {
  const message = JSON.parse(template) as Record<string, unknown>;
  for (const [field, value] of Object.entries(values)) message[field] = value;
  return JSON.stringify(message);
}

let owner: Actor;
let traveler: Actor;
let property: { id: string; name: string };
let producer: Producer;
let temporal: Client;
let recorder: TopicRecorder;
const brokers = () => inject('kafkaBrokers').split(',');

beforeAll(async () => {
  await connectTestDatabase();
  temporal = await connectTemporalClient();
  owner = await signUp('owner');
  traveler = await signUp('traveler');
  property = await createProperty(owner);
  const kafka = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING });
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  recorder = await TopicRecorder.start(['booking-requests.DLT', 'booking-updates.DLT']);
});

afterAll(async () => {
  await recorder?.stop();
  await producer?.disconnect();
  await temporal?.connection.close();
  await disconnectTestDatabase();
});

async function pendingBooking(startInDays: number): Promise<string> {
  const res = await requestBooking(traveler, {
    propertyId: property.id,
    checkIn: daysFromNow(startInDays),
    checkOut: daysFromNow(startInDays + 2),
    guests: 2,
  });
  expect(res.status).toBe(201);
  return res.body.booking.id as string;
}

async function produceRaw(topic: string, key: string, value: string, copies = 1) {
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: copies }, () => ({ key, value })),
  });
}

const bookingIn = (id: string) => Booking.findById(id).lean();

describe('seed-format booking-status-updated on booking-updates', () => {
  it("applies the seed's example decision, produced by Kafka's console producer, once for five copies", async () => {
    const bookingId = await pendingBooking(30);
    const decision = seedExample(SEED_BOOKING_STATUS_UPDATED, {
      bookingId,
      travelerId: traveler.id,
      ownerId: owner.id,
    });
    await produceWithConsoleProducer({
      brokers: brokers(),
      topic: 'booking-updates',
      records: Array.from({ length: 5 }, () => ({ key: bookingId, value: decision })),
    });

    // The saga saw all five: it applied one and recorded four as duplicates of it.
    const handle = temporal.workflow.getHandle(bookingWorkflowId(bookingId));
    const state = await eventually(async () => {
      const current = await handle.query(bookingStatusQuery);
      expect(current.ignoredDecisions).toHaveLength(4);
      return current;
    });
    expect(state.status).toBe('ACCEPTED');
    expect(new Set(state.ignoredDecisions.map((d) => d.ignoreReason))).toEqual(
      new Set(['duplicate']),
    );
    const booking = await eventually(async () => {
      const found = await bookingIn(bookingId);
      expect(found?.ignoredDecisions).toHaveLength(1); // Mongo keeps one record per eventId
      return found;
    });
    expect(booking?.status).toBe('ACCEPTED');
    const accepted = booking?.history.filter((t) => t.to === 'ACCEPTED') ?? [];
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({
      actor: { role: 'owner', userId: owner.id },
      reason: 'Optional cancellation reason',
      source: { kind: 'kafka', topic: 'booking-updates' },
    });
    const ignored = booking?.ignoredDecisions as { ignoreReason: string; eventId: string }[];
    expect(new Set(ignored.map((d) => d.ignoreReason))).toEqual(new Set(['duplicate']));
    expect(new Set(ignored.map((d) => d.eventId))).toEqual(new Set([accepted[0]?.eventId]));
    const { body } = await api(`/api/bookings/${bookingId}`, { token: traveler.token });
    expect(body.booking.status).toBe('ACCEPTED');
  });

  it('applies a decision whose eventId is not a UUID and whose timestamp has an offset', async () => {
    const bookingId = await pendingBooking(40);
    const eventId = `owner-service:${randomUUID()}:reject`;
    const decision = JSON.stringify({
      ...(JSON.parse(
        seedExample(SEED_BOOKING_STATUS_UPDATED, {
          bookingId,
          travelerId: traveler.id,
          ownerId: owner.id,
          status: 'REJECTED',
          reason: 'The villa is being repainted',
          timestamp: '2026-03-01T12:00:00+01:00',
        }),
      ) as object),
      eventId,
    });
    await produceRaw('booking-updates', bookingId, decision, 2);
    const booking = await eventually(async () => {
      const found = await bookingIn(bookingId);
      expect(found?.status).toBe('REJECTED');
      return found;
    });
    const rejected = booking?.history.find((t) => t.to === 'REJECTED');
    expect(rejected).toMatchObject({ eventId, reason: 'The villa is being repainted' });
    const { body } = await api(`/api/bookings/property/${property.id}/booked-dates`);
    expect(body.bookedNights).not.toContain(daysFromNow(40));
  });

  it('dead-letters a decision of a later schema version with reason unsupported-version', async () => {
    const bookingId = await pendingBooking(50);
    const later = JSON.stringify({
      ...(JSON.parse(
        seedExample(SEED_BOOKING_STATUS_UPDATED, {
          bookingId,
          travelerId: traveler.id,
          ownerId: owner.id,
        }),
      ) as object),
      version: 2,
    });
    await produceRaw('booking-updates', bookingId, later);
    const dead = await recorder.waitFor('booking-updates.DLT', (m) => m.key === bookingId);
    expect(dead.headers['x-dead-letter-reason']).toBe('unsupported-version');
    expect(dead.raw).toBe(later);
    expect((await bookingIn(bookingId))?.status).toBe('PENDING');
  });
});

describe('seed-format booking-created on booking-requests', () => {
  it("notifies the owner once for the seed's example, sent twice without an eventId", async () => {
    const bookingId = new mongoose.Types.ObjectId().toString();
    const request = seedExample(SEED_BOOKING_CREATED, {
      bookingId,
      propertyId: property.id,
      travelerId: traveler.id,
      ownerId: owner.id,
      checkIn: `${daysFromNow(60)}T00:00:00.000Z`,
      checkOut: `${daysFromNow(64)}T00:00:00.000Z`,
    });
    await produceRaw('booking-requests', bookingId, request, 2);
    const notifications = await eventually(async () => {
      const found = await Notification.find({ bookingId }).lean();
      expect(found).toHaveLength(1);
      return found;
    });
    expect(notifications[0]).toMatchObject({
      kind: 'booking-requested',
      title: 'New booking request',
    });
    expect(notifications[0]?.userId.toString()).toBe(owner.id);
    expect(notifications[0]?.body).toContain('Luxury Beach Villa');
    // The second copy was de-duplicated, not dead-lettered.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await Notification.countDocuments({ bookingId })).toBe(1);
    expect(recorder.matching('booking-requests.DLT', (m) => m.key === bookingId)).toEqual([]);
  });
});
