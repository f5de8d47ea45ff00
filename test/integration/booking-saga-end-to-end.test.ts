/**
 * One booking walking the whole saga on the real stack: HTTP API -> Temporal workflow ->
 * Mongo and Kafka -> owner decision over Kafka -> bridge -> workflow -> Mongo. Every step is
 * checked where it really lands: the Mongo documents, the messages on both topics field by
 * field, and the workflow's own state and search attributes through the Temporal client.
 */
import type { Client } from '@temporalio/client';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingWorkflowId } from '../../domain/ids.js';
import { Booking, NightHold, Notification } from '../../db/models.js';
import { bookingStatusQuery, searchAttributes } from '../../workflows/booking-definitions.js';
import {
  api,
  createProperty,
  daysFromNow,
  requestBooking,
  signUp,
  type Actor,
} from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { recordHistoryFixture } from '../support/history-fixtures.js';
import { TopicRecorder } from '../support/topic-recorder.js';
import {
  connectTemporalClient,
  connectTestDatabase,
  disconnectTestDatabase,
} from '../support/stack-clients.js';

let temporal: Client;
let kafka: TopicRecorder;
let owner: Actor;
let traveler: Actor;

beforeAll(async () => {
  await connectTestDatabase();
  temporal = await connectTemporalClient();
  kafka = await TopicRecorder.start(['booking-requests', 'booking-updates']);
  [owner, traveler] = await Promise.all([signUp('owner'), signUp('traveler')]);
});

afterAll(async () => {
  await kafka?.stop();
  await temporal?.connection.close();
  await disconnectTestDatabase();
});

const isoDay = (day: string) => `${day}T00:00:00.000Z`;

async function bookingStatusInMongo(bookingId: string) {
  return (await Booking.findById(bookingId).lean())?.status;
}

async function workflowState(bookingId: string) {
  return temporal.workflow.getHandle(bookingWorkflowId(bookingId)).query(bookingStatusQuery);
}

async function heldNights(bookingId: string) {
  return NightHold.countDocuments({ bookingId: new mongoose.Types.ObjectId(bookingId) });
}

describe('a booking request', () => {
  it('holds the nights, records the booking PENDING and publishes booking-created; approval makes it ACCEPTED', async () => {
    const property = await createProperty(owner);
    const stay = {
      propertyId: property.id,
      checkIn: daysFromNow(40),
      checkOut: daysFromNow(44),
      guests: 4,
    };

    const created = await requestBooking(traveler, stay);
    expect(created.status).toBe(201);
    const booking = created.body.booking;
    expect(booking).toMatchObject({
      propertyId: property.id,
      ownerId: owner.id,
      travelerId: traveler.id,
      status: 'PENDING',
      nights: 4,
      totalPrice: 4 * 250 + 60 + 40,
    });

    // Mongo: the booking and one ledger entry per night.
    const doc = await Booking.findById(booking.id).lean();
    expect(doc).toMatchObject({ status: 'PENDING', totalPrice: 1100, guests: 4, nights: 4 });
    expect(doc?.history.map((h) => h.to)).toEqual(['PENDING']);
    expect(await heldNights(booking.id)).toBe(4);

    // Kafka: booking-created with exactly the seed's fields (plus eventId and version), keyed by bookingId.
    const requestMessage = await kafka.waitFor('booking-requests', (m) => m.key === booking.id);
    expect(requestMessage.value).toEqual({
      type: 'booking-created',
      bookingId: booking.id,
      propertyId: property.id,
      propertyName: 'Luxury Beach Villa',
      travelerId: traveler.id,
      ownerId: owner.id,
      checkIn: isoDay(stay.checkIn),
      checkOut: isoDay(stay.checkOut),
      guests: 4,
      totalPrice: 1100,
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      version: 1,
    });

    // Temporal: the workflow's state and the operators' search attributes.
    const handle = temporal.workflow.getHandle(bookingWorkflowId(booking.id));
    expect((await workflowState(booking.id)).status).toBe('PENDING');
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(searchAttributes.bookingStatus)).toBe('PENDING');
    expect(described.typedSearchAttributes.get(searchAttributes.propertyId)).toBe(property.id);
    expect(described.typedSearchAttributes.get(searchAttributes.ownerId)).toBe(owner.id);
    expect(described.typedSearchAttributes.get(searchAttributes.travelerId)).toBe(traveler.id);
    expect(described.typedSearchAttributes.get(searchAttributes.checkIn)).toEqual(
      new Date(isoDay(stay.checkIn)),
    );

    // The owner side was told (booking-requests consumer -> in-app notification).
    await eventually(async () => {
      expect(
        await Notification.countDocuments({
          userId: owner.id,
          bookingId: booking.id,
          kind: 'booking-requested',
        }),
      ).toBe(1);
    });

    // The owner approves: a decision on booking-updates, the bridge signals, the saga applies it.
    const approved = await api(`/api/owners/bookings/${booking.id}/approve`, {
      method: 'PUT',
      token: owner.token,
    });
    expect(approved.status).toBe(202);
    const decision = await kafka.waitFor('booking-updates', (m) => m.key === booking.id);
    expect(decision.value).toEqual({
      type: 'booking-status-updated',
      bookingId: booking.id,
      status: 'ACCEPTED',
      travelerId: traveler.id,
      ownerId: owner.id,
      timestamp: expect.any(String),
      eventId: approved.body.decision.eventId,
      version: 1,
    });

    await eventually(async () => expect(await bookingStatusInMongo(booking.id)).toBe('ACCEPTED'));
    const accepted = await Booking.findById(booking.id).lean();
    expect(accepted?.history.at(-1)).toMatchObject({
      from: 'PENDING',
      to: 'ACCEPTED',
      actor: { role: 'owner', userId: owner.id },
      eventId: approved.body.decision.eventId,
      source: {
        kind: 'kafka',
        topic: 'booking-updates',
        partition: decision.partition,
        offset: decision.offset,
      },
    });
    expect(await heldNights(booking.id)).toBe(4);
    expect((await workflowState(booking.id)).status).toBe('ACCEPTED');
    await eventually(async () => {
      const sa = (await handle.describe()).typedSearchAttributes;
      expect(sa.get(searchAttributes.bookingStatus)).toBe('ACCEPTED');
    });
    await eventually(async () => {
      expect(
        await Notification.countDocuments({
          userId: traveler.id,
          bookingId: booking.id,
          kind: 'booking-accepted',
        }),
      ).toBe(1);
    });
    await recordHistoryFixture(temporal, bookingWorkflowId(booking.id), 'real-stack-accepted');
  });

  it('is REJECTED by the owner and its nights are released for the next traveler', async () => {
    const property = await createProperty(owner);
    const stay = {
      propertyId: property.id,
      checkIn: daysFromNow(50),
      checkOut: daysFromNow(53),
      guests: 2,
    };
    const { body } = await requestBooking(traveler, stay);
    const bookingId = body.booking.id as string;

    const rejected = await api(`/api/owners/bookings/${bookingId}/reject`, {
      method: 'PUT',
      token: owner.token,
      body: { reason: 'Closed for repairs' },
    });
    expect(rejected.status).toBe(202);
    const decision = await kafka.waitFor('booking-updates', (m) => m.key === bookingId);
    expect(decision.value).toMatchObject({ status: 'REJECTED', reason: 'Closed for repairs' });

    await eventually(async () => expect(await bookingStatusInMongo(bookingId)).toBe('REJECTED'));
    expect(await heldNights(bookingId)).toBe(0);
    const doc = await Booking.findById(bookingId).lean();
    expect(doc?.history.at(-1)).toMatchObject({
      from: 'PENDING',
      to: 'REJECTED',
      reason: 'Closed for repairs',
    });
    const final = await temporal.workflow.getHandle(bookingWorkflowId(bookingId)).result();
    expect(final.status).toBe('REJECTED');
    await recordHistoryFixture(temporal, bookingWorkflowId(bookingId), 'real-stack-rejected');

    const booked = await api(`/api/bookings/property/${property.id}/booked-dates`);
    expect(booked.body).toEqual({ propertyId: property.id, bookedNights: [] });
    const again = await requestBooking(traveler, stay);
    expect(again.status).toBe(201);
  });

  it('EXPIRES when the owner does not decide before the deadline, releasing its nights', async () => {
    const property = await createProperty(owner);
    const stay = {
      propertyId: property.id,
      checkIn: daysFromNow(60),
      checkOut: daysFromNow(62),
      guests: 1,
    };
    const { body } = await requestBooking(traveler, stay);
    const bookingId = body.booking.id as string;
    expect(await heldNights(bookingId)).toBe(2);
    const deadline = new Date(body.booking.ownerDecisionDeadline as string).getTime();
    expect(deadline - new Date(body.booking.history[0].at as string).getTime()).toBe(20_000);

    await eventually(async () => expect(await bookingStatusInMongo(bookingId)).toBe('EXPIRED'), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    expect(await heldNights(bookingId)).toBe(0);
    const doc = await Booking.findById(bookingId).lean();
    expect(doc?.history.at(-1)).toMatchObject({
      from: 'PENDING',
      to: 'EXPIRED',
      actor: { role: 'system' },
    });
    expect(doc?.history.at(-1)?.at.getTime()).toBeGreaterThanOrEqual(deadline);
    expect((await workflowState(bookingId)).status).toBe('EXPIRED');
    await recordHistoryFixture(temporal, bookingWorkflowId(bookingId), 'real-stack-expired');
  });

  it('answers 409 for nights already held, and holds nothing for the refused request', async () => {
    const property = await createProperty(owner);
    const first = await requestBooking(traveler, {
      propertyId: property.id,
      checkIn: daysFromNow(70),
      checkOut: daysFromNow(74),
      guests: 2,
    });
    expect(first.status).toBe(201);
    const other = await signUp('traveler');
    const second = await requestBooking(other, {
      propertyId: property.id,
      checkIn: daysFromNow(72),
      checkOut: daysFromNow(76),
      guests: 2,
    });
    expect(second.status).toBe(409);
    expect(second.body).toEqual({
      error: {
        code: 'dates_unavailable',
        message: 'Some of these nights are already booked',
        details: { conflictingNights: [daysFromNow(72), daysFromNow(73)] },
      },
    });
    const holds = await NightHold.find({
      propertyId: new mongoose.Types.ObjectId(property.id),
    }).lean();
    expect(holds.map((h) => h.bookingId.toString())).toEqual(Array(4).fill(first.body.booking.id));
    expect(await Booking.countDocuments({ propertyId: property.id })).toBe(1);
    // The refused request's saga is listed by its property with the status it ended in.
    await eventually(async () => {
      const statuses: unknown[] = [];
      for await (const run of temporal.workflow.list({ query: `PropertyId="${property.id}"` })) {
        statuses.push(run.typedSearchAttributes.get(searchAttributes.bookingStatus));
      }
      expect(statuses.sort()).toEqual(['PENDING', 'UNAVAILABLE']);
    });
  });

  it('with the same Idempotency-Key returns the same booking instead of a second one', async () => {
    const property = await createProperty(owner);
    const stay = {
      propertyId: property.id,
      checkIn: daysFromNow(80),
      checkOut: daysFromNow(81),
      guests: 1,
    };
    const first = await requestBooking(traveler, stay, 'trip-to-lisbon-1');
    const retry = await requestBooking(traveler, stay, 'trip-to-lisbon-1');
    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.booking.id).toBe(first.body.booking.id);
    expect(await Booking.countDocuments({ propertyId: property.id })).toBe(1);
    const reused = await requestBooking(traveler, { ...stay, guests: 2 }, 'trip-to-lisbon-1');
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });
});

describe('the API refuses', () => {
  it('anonymous callers, the wrong role, other owners and malformed requests with JSON errors', async () => {
    const property = await createProperty(owner);
    const { body } = await requestBooking(traveler, {
      propertyId: property.id,
      checkIn: daysFromNow(90),
      checkOut: daysFromNow(92),
      guests: 2,
    });
    const bookingId = body.booking.id as string;
    const stranger = await signUp('owner');

    const cases = [
      {
        res: await api('/api/travelers/bookings', { method: 'POST', body: {} }),
        status: 401,
        code: 'unauthenticated',
      },
      {
        res: await api('/api/travelers/bookings', { method: 'POST', token: owner.token, body: {} }),
        status: 403,
        code: 'forbidden',
      },
      {
        res: await api(`/api/owners/bookings/${bookingId}/approve`, {
          method: 'PUT',
          token: stranger.token,
        }),
        // Another owner's booking answers like a missing one: its id is not confirmed.
        status: 404,
        code: 'not_found',
      },
      {
        res: await api('/api/owners/bookings/not-an-id/approve', {
          method: 'PUT',
          token: owner.token,
        }),
        status: 400,
        code: 'validation_failed',
      },
      {
        res: await api('/api/travelers/bookings', {
          method: 'POST',
          token: traveler.token,
          rawBody: '{"propertyId":',
          headers: { 'content-type': 'application/json' },
        }),
        status: 400,
        code: 'invalid_json',
      },
      {
        res: await requestBooking(traveler, {
          propertyId: property.id,
          checkIn: daysFromNow(95),
          checkOut: daysFromNow(94),
          guests: 2,
        }),
        status: 422,
        code: 'invalid_stay',
      },
      {
        res: await requestBooking(traveler, {
          propertyId: property.id,
          checkIn: daysFromNow(95),
          checkOut: daysFromNow(96),
          guests: 7,
        }),
        status: 422,
        code: 'too_many_guests',
      },
      {
        res: await api('/api/travelers/bookings', {
          method: 'POST',
          token: traveler.token,
          body: {
            propertyId: property.id,
            checkIn: daysFromNow(95),
            checkOut: daysFromNow(96),
            guests: 1,
            totalPrice: 1,
          },
        }),
        status: 400,
        code: 'validation_failed',
      },
    ];
    for (const { res, status, code } of cases) {
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
    }
    expect(await bookingStatusInMongo(bookingId)).toBe('PENDING');
  });
});
