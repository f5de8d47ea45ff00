/**
 * The booking policy on the real system: a stay must leave the owner time to decide (no
 * check-in today), may start at most two years ahead, and one traveler may hold at most 5
 * PENDING requests, 2 per listing, enforced by the database even when the requests race.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BOOKING_POLICY } from '../../domain/stay.js';
import { Booking, PendingRequestSlot } from '../../db/models.js';
import {
  api,
  createProperty,
  daysFromNow,
  requestBooking,
  signUp,
  type Actor,
} from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { connectTestDatabase, disconnectTestDatabase } from '../support/stack-clients.js';

let owner: Actor;

beforeAll(async () => {
  await connectTestDatabase();
  owner = await signUp('owner');
});

afterAll(async () => {
  await disconnectTestDatabase();
});

const stayAt = (propertyId: string, startInDays: number, nights = 2) => ({
  propertyId,
  checkIn: daysFromNow(startInDays),
  checkOut: daysFromNow(startInDays + nights),
  guests: 2,
});

async function statusOf(bookingId: string) {
  return (await Booking.findById(bookingId).lean())?.status;
}

describe('notice and horizon', () => {
  it('refuses a stay that starts today with 422 check_in_too_soon and the earliest check-in', async () => {
    const traveler = await signUp('traveler');
    const property = await createProperty(owner);
    const res = await requestBooking(traveler, stayAt(property.id, 0));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('check_in_too_soon');
    const earliest = res.body.error.details.earliestCheckIn as string;
    expect([daysFromNow(1), daysFromNow(2)]).toContain(earliest);
    expect(res.body.error.message).toContain(earliest);
    // Nothing was held or written, and the owner was not told about a stay nobody can decide.
    expect(await Booking.countDocuments({ propertyId: property.id })).toBe(0);
    expect((await requestBooking(traveler, stayAt(property.id, 3))).status).toBe(201);
  });

  it('refuses a stay more than two years ahead with 422 check_in_too_far', async () => {
    const traveler = await signUp('traveler');
    const property = await createProperty(owner);
    const tooFar = await requestBooking(traveler, stayAt(property.id, 731));
    expect(tooFar.status).toBe(422);
    expect(tooFar.body.error).toMatchObject({
      code: 'check_in_too_far',
      details: { latestCheckIn: daysFromNow(730) },
    });
    const year9999 = await requestBooking(traveler, {
      ...stayAt(property.id, 0),
      checkIn: '9999-12-01',
      checkOut: '9999-12-03',
    });
    expect(year9999.body.error.code).toBe('check_in_too_far');
    expect((await requestBooking(traveler, stayAt(property.id, 729))).status).toBe(201);
  });
});

describe('pending requests per traveler', () => {
  it('takes at most 2 per listing; a decided request frees its place', async () => {
    const traveler = await signUp('traveler');
    const property = await createProperty(owner);
    const first = await requestBooking(traveler, stayAt(property.id, 20));
    const second = await requestBooking(traveler, stayAt(property.id, 30));
    expect([first.status, second.status]).toEqual([201, 201]);
    const third = await requestBooking(traveler, stayAt(property.id, 40));
    expect(third.status).toBe(409);
    expect(third.body.error).toMatchObject({
      code: 'too_many_pending_requests',
      details: { scope: 'property', limit: DEFAULT_BOOKING_POLICY.maxPendingPerProperty },
    });
    // Another listing is still fine.
    const elsewhere = await createProperty(owner);
    expect((await requestBooking(traveler, stayAt(elsewhere.id, 40))).status).toBe(201);

    const firstId = first.body.booking.id as string;
    const rejected = await api(`/api/owners/bookings/${firstId}/reject`, {
      method: 'PUT',
      token: owner.token,
      body: { reason: 'Not those dates' },
    });
    expect(rejected.status).toBe(202);
    await eventually(async () => expect(await statusOf(firstId)).toBe('REJECTED'));
    expect((await requestBooking(traveler, stayAt(property.id, 40))).status).toBe(201);
  });

  it('takes at most 5 in all; accepted and cancelled ones do not count', async () => {
    const traveler = await signUp('traveler');
    const properties = await Promise.all(Array.from({ length: 7 }, () => createProperty(owner)));
    const ids: string[] = [];
    for (const property of properties.slice(0, 5)) {
      const res = await requestBooking(traveler, stayAt(property.id, 50));
      expect(res.status).toBe(201);
      ids.push(res.body.booking.id as string);
    }
    const sixth = await requestBooking(traveler, stayAt(properties[5]!.id, 50));
    expect(sixth.status).toBe(409);
    expect(sixth.body.error).toMatchObject({
      code: 'too_many_pending_requests',
      details: { scope: 'traveler', limit: DEFAULT_BOOKING_POLICY.maxPendingPerTraveler },
    });

    const approved = await api(`/api/owners/bookings/${ids[0]}/approve`, {
      method: 'PUT',
      token: owner.token,
    });
    expect(approved.status).toBe(202);
    await eventually(async () => expect(await statusOf(ids[0]!)).toBe('ACCEPTED'));
    expect((await requestBooking(traveler, stayAt(properties[5]!.id, 50))).status).toBe(201);

    const cancelled = await api(`/api/bookings/${ids[1]}/cancel`, {
      method: 'PUT',
      token: traveler.token,
      body: { reason: 'Plans changed' },
    });
    expect(cancelled.status).toBe(202);
    await eventually(async () => expect(await statusOf(ids[1]!)).toBe('CANCELLED'));
    expect((await requestBooking(traveler, stayAt(properties[6]!.id, 50))).status).toBe(201);
  });

  it('holds under racing requests: 12 at once for 12 listings give exactly 5 bookings', async () => {
    const traveler = await signUp('traveler');
    const properties = await Promise.all(Array.from({ length: 12 }, () => createProperty(owner)));
    const answers = await Promise.all(
      properties.map((property) => requestBooking(traveler, stayAt(property.id, 60))),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.body.error.code).toBe('too_many_pending_requests');
    }
    expect(await Booking.countDocuments({ travelerId: traveler.id })).toBe(5);
    expect(await PendingRequestSlot.countDocuments({ _id: { $regex: `^t:${traveler.id}:` } })).toBe(
      5,
    );
  });

  it('does not spend a place on a request that lost its nights', async () => {
    const holder = await signUp('traveler');
    const traveler = await signUp('traveler');
    const property = await createProperty(owner);
    expect((await requestBooking(holder, stayAt(property.id, 70, 3))).status).toBe(201);
    for (let attempt = 0; attempt < 6; attempt++) {
      const lost = await requestBooking(traveler, stayAt(property.id, 71));
      expect(lost.body.error.code).toBe('dates_unavailable');
    }
    expect((await requestBooking(traveler, stayAt(property.id, 80))).status).toBe(201);
    expect(await PendingRequestSlot.countDocuments({ _id: { $regex: `^t:${traveler.id}:` } })).toBe(
      1,
    );
  });
});
