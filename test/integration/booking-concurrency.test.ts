/**
 * No double-booked night and no duplicated booking under real concurrency: many requests race
 * through the API, the saga and the night ledger at once, on the real stack.
 */
import type { Client } from '@temporalio/client';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_STATUSES } from '../../domain/booking-status.js';
import { Booking, NightHold } from '../../db/models.js';
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

let temporal: Client;
let owner: Actor;
let travelers: Actor[];

beforeAll(async () => {
  await connectTestDatabase();
  temporal = await connectTemporalClient();
  owner = await signUp('owner');
  travelers = await Promise.all(Array.from({ length: 5 }, () => signUp('traveler')));
});

afterAll(async () => {
  await temporal?.connection.close();
  await disconnectTestDatabase();
});

/** 50 stays that all contain the night `daysFromNow(start + 2)`, in three different shapes. */
function overlappingStays(propertyId: string, start: number) {
  return Array.from({ length: 50 }, (_, i) => ({
    propertyId,
    checkIn: daysFromNow(start + (i % 3)),
    checkOut: daysFromNow(start + 3 + (i % 3)),
    guests: 2,
  }));
}

/** The ledger is consistent: every held night belongs to a live booking that covers it. */
async function expectLedgerConsistent(propertyId: string) {
  const holds = await NightHold.find({
    propertyId: new mongoose.Types.ObjectId(propertyId),
  }).lean();
  const live = await Booking.find({ propertyId, status: { $in: LIVE_STATUSES } }).lean();
  const liveNights = live.flatMap((b) =>
    Array.from({ length: b.nights }, (_, n) =>
      new Date(b.checkIn.getTime() + n * 86_400_000).toISOString().slice(0, 10),
    ),
  );
  expect(new Set(liveNights).size).toBe(liveNights.length); // no night in two live bookings
  expect(holds.map((h) => h.night).sort()).toEqual([...liveNights].sort());
  for (const hold of holds) {
    expect(live.map((b) => b._id.toString())).toContain(hold.bookingId.toString());
  }
}

describe('concurrent booking requests', () => {
  it('for overlapping nights: exactly one holds them, the other 49 get 409', async () => {
    const property = await createProperty(owner);
    const stays = overlappingStays(property.id, 100);
    const responses = await Promise.all(
      stays.map((stay, i) => requestBooking(travelers[i % travelers.length] as Actor, stay)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(await Booking.countDocuments({ propertyId: property.id })).toBe(1);
    await expectLedgerConsistent(property.id);
  });

  it('racing a cancellation: never two live bookings on one night, and the ledger stays exact', async () => {
    const property = await createProperty(owner);
    const holder = travelers[0] as Actor;
    const first = await requestBooking(holder, {
      propertyId: property.id,
      checkIn: daysFromNow(200),
      checkOut: daysFromNow(206),
      guests: 2,
    });
    expect(first.status).toBe(201);
    const firstId = first.body.booking.id as string;

    const [cancel, ...responses] = await Promise.all([
      api(`/api/bookings/${firstId}/cancel`, {
        method: 'PUT',
        token: holder.token,
        body: { reason: 'Plans changed' },
      }),
      ...overlappingStays(property.id, 201).map((stay, i) =>
        requestBooking(travelers[(i % 4) + 1] as Actor, stay),
      ),
    ]);
    expect(cancel?.status).toBe(202);
    await eventually(async () =>
      expect((await Booking.findById(firstId).lean())?.status).toBe('CANCELLED'),
    );
    const won = responses.filter((r) => r.status === 201);
    expect(won.length).toBeLessThanOrEqual(1); // all 50 share a night
    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(await Booking.countDocuments({ propertyId: property.id })).toBe(1 + won.length);
    await expectLedgerConsistent(property.id);

    // Whatever won the race or not, the nights the cancellation freed can be booked again.
    const after = await requestBooking(holder, {
      propertyId: property.id,
      checkIn: daysFromNow(200),
      checkOut: daysFromNow(201),
      guests: 1,
    });
    expect(after.status).toBe(201);
    await expectLedgerConsistent(property.id);
  });

  it('with one Idempotency-Key sent 10 times at once: one booking, one workflow', async () => {
    const property = await createProperty(owner);
    const traveler = travelers[1] as Actor;
    const stay = {
      propertyId: property.id,
      checkIn: daysFromNow(300),
      checkOut: daysFromNow(303),
      guests: 2,
    };
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => requestBooking(traveler, stay, 'one-trip-only')),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 201,
    ]);
    const ids = new Set(responses.map((r) => r.body.booking.id as string));
    expect(ids.size).toBe(1);
    expect(await Booking.countDocuments({ propertyId: property.id })).toBe(1);
    await eventually(async () =>
      expect(await temporal.workflow.count(`PropertyId="${property.id}"`)).toEqual(
        expect.objectContaining({ count: 1 }),
      ),
    );
  });
});
