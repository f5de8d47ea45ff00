/**
 * What a web page needs around a listing, on the real stack: favorites kept on the server (and
 * the heart on every property a traveler sees), the price of a stay before it is requested
 * (the booking's own pricing, the booking's own refusals), a calendar of free and taken days,
 * and the owner's dashboard (booking counts per listing, revenue by month).
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Booking } from '../../db/models.js';
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
let traveler: Actor;

beforeAll(async () => {
  await connectTestDatabase();
  [owner, traveler] = await Promise.all([signUp('owner'), signUp('traveler')]);
});

afterAll(async () => {
  await disconnectTestDatabase();
});

const uniqueCity = () => `Favtown-${randomUUID()}`;
const favorites = (actor: Actor, query = '') =>
  api(`/api/travelers/favorites${query}`, { token: actor.token });

describe('favorites', () => {
  it('are kept on the server, idempotently, newest first, each with its listing', async () => {
    const city = uniqueCity();
    const [first, second] = [
      await createProperty(owner, { city, name: 'First kept' }),
      await createProperty(owner, { city, name: 'Second kept' }),
    ];
    const me = await signUp('traveler');
    for (const id of [first.id, first.id, second.id]) {
      const put = await api(`/api/travelers/favorites/${id}`, { method: 'PUT', token: me.token });
      expect(put.status).toBe(204);
    }
    const page = await favorites(me);
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(2);
    expect(page.body.favorites.map((f: { property: { name: string } }) => f.property.name)).toEqual(
      ['Second kept', 'First kept'],
    );
    expect(page.body.favorites[0].property.isFavorite).toBe(true);
    expect(Date.parse(page.body.favorites[0].savedAt)).toBeGreaterThan(0);

    const paged = await favorites(me, '?limit=1&page=2');
    expect(paged.body).toMatchObject({ page: 2, limit: 1, total: 2 });
    expect(paged.body.favorites[0].property.id).toBe(first.id);

    for (let i = 0; i < 2; i++) {
      const del = await api(`/api/travelers/favorites/${first.id}`, {
        method: 'DELETE',
        token: me.token,
      });
      expect(del.status).toBe(204);
    }
    const after = await favorites(me);
    expect(after.body.favorites.map((f: { property: { id: string } }) => f.property.id)).toEqual([
      second.id,
    ]);
  });

  it('mark every property the traveler sees, and no one else’s', async () => {
    const city = uniqueCity();
    const kept = await createProperty(owner, { city, name: 'Kept' });
    const other = await createProperty(owner, { city, name: 'Not kept' });
    await api(`/api/travelers/favorites/${kept.id}`, { method: 'PUT', token: traveler.token });

    const search = await api(`/api/properties?city=${encodeURIComponent(city)}`, {
      token: traveler.token,
    });
    const hearts = Object.fromEntries(
      search.body.properties.map((p: { id: string; isFavorite: boolean }) => [p.id, p.isFavorite]),
    );
    expect(hearts).toEqual({ [kept.id]: true, [other.id]: false });

    const one = await api(`/api/properties/${kept.id}`, { token: traveler.token });
    expect(one.body.property.isFavorite).toBe(true);
    // Its own page carries the host's public card.
    expect(one.body.property.host).toEqual({
      name: expect.stringMatching(/^owner /),
      avatarUrl: '',
      memberSince: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    // Signed out, another traveler, an owner, a stale token: never someone else's heart.
    const anonymous = await api(`/api/properties/${kept.id}`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.property.isFavorite).toBe(false);
    const stranger = await signUp('traveler');
    const theirs = await api(`/api/properties/${kept.id}`, { token: stranger.token });
    expect(theirs.body.property.isFavorite).toBe(false);
    const stale = await api(`/api/properties/${kept.id}`, { token: 'not-a-session-token' });
    expect(stale.status).toBe(200);
    expect(stale.body.property.isFavorite).toBe(false);
  });

  it('refuse owners, strangers, unknown listings and bad ids', async () => {
    const property = await createProperty(owner, { city: uniqueCity() });
    const asOwner = await api(`/api/travelers/favorites/${property.id}`, {
      method: 'PUT',
      token: owner.token,
    });
    expect(asOwner.status).toBe(403);
    const signedOut = await api(`/api/travelers/favorites/${property.id}`, { method: 'PUT' });
    expect(signedOut.status).toBe(401);
    const unknown = await api(`/api/travelers/favorites/${'a'.repeat(24)}`, {
      method: 'PUT',
      token: traveler.token,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const badId = await api('/api/travelers/favorites/not-an-id', {
      method: 'PUT',
      token: traveler.token,
    });
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe('validation_failed');
  });

  it('forget a listing its owner deleted', async () => {
    const property = await createProperty(owner, { city: uniqueCity() });
    const me = await signUp('traveler');
    await api(`/api/travelers/favorites/${property.id}`, { method: 'PUT', token: me.token });
    const deleted = await api(`/api/properties/${property.id}`, {
      method: 'DELETE',
      token: owner.token,
    });
    expect(deleted.status).toBe(204);
    const page = await favorites(me);
    expect(page.body).toMatchObject({ total: 0, favorites: [] });
  });
});

describe('a quote before the request', () => {
  const quote = (propertyId: string, query: Record<string, string | number>) =>
    api(
      `/api/properties/${propertyId}/quote?${new URLSearchParams(
        Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString()}`,
    );

  it('prices the stay exactly as the booking is priced, and says when its nights are taken', async () => {
    const property = await createProperty(owner, {
      city: uniqueCity(),
      pricePerNight: 123.45,
      cleaningFee: 30,
      serviceFee: 17.5,
    });
    const stay = { checkIn: daysFromNow(20), checkOut: daysFromNow(23), guests: 2 };
    const before = await quote(property.id, stay);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      propertyId: property.id,
      ...stay,
      currency: 'USD',
      nights: 3,
      pricePerNight: 123.45,
      subtotal: 370.35,
      cleaningFee: 30,
      serviceFee: 17.5,
      totalPrice: 417.85,
      nightsFree: true,
      conflictingNights: [],
    });

    const booked = await requestBooking(traveler, { propertyId: property.id, ...stay });
    expect(booked.status).toBe(201);
    expect(booked.body.booking.totalPrice).toBe(before.body.totalPrice);

    const overlapping = await quote(property.id, {
      checkIn: daysFromNow(22),
      checkOut: daysFromNow(25),
      guests: 1,
    });
    expect(overlapping.status).toBe(200);
    expect(overlapping.body.nightsFree).toBe(false);
    expect(overlapping.body.conflictingNights).toEqual([daysFromNow(22)]);
  });

  it('refuses what the booking request would refuse, with the same codes', async () => {
    const property = await createProperty(owner, { city: uniqueCity(), maxGuests: 2 });
    const hidden = await createProperty(owner, { city: uniqueCity(), available: false });
    const cases: [string, Record<string, string | number>, number, string][] = [
      [
        property.id,
        { checkIn: daysFromNow(5), checkOut: daysFromNow(6), guests: 3 },
        422,
        'too_many_guests',
      ],
      [
        property.id,
        { checkIn: daysFromNow(0), checkOut: daysFromNow(2), guests: 1 },
        422,
        'check_in_too_soon',
      ],
      [
        property.id,
        { checkIn: daysFromNow(-3), checkOut: daysFromNow(2), guests: 1 },
        422,
        'invalid_stay',
      ],
      [
        property.id,
        { checkIn: daysFromNow(800), checkOut: daysFromNow(801), guests: 1 },
        422,
        'check_in_too_far',
      ],
      [
        property.id,
        { checkIn: daysFromNow(6), checkOut: daysFromNow(5), guests: 1 },
        422,
        'invalid_stay',
      ],
      [
        hidden.id,
        { checkIn: daysFromNow(5), checkOut: daysFromNow(6), guests: 1 },
        409,
        'property_unavailable',
      ],
      [
        'b'.repeat(24),
        { checkIn: daysFromNow(5), checkOut: daysFromNow(6), guests: 1 },
        404,
        'not_found',
      ],
      [
        property.id,
        { checkIn: daysFromNow(5), checkOut: daysFromNow(6) },
        400,
        'validation_failed',
      ],
      [
        property.id,
        { checkIn: '2031-02-30', checkOut: daysFromNow(6), guests: 1 },
        400,
        'validation_failed',
      ],
    ];
    for (const [id, query, status, code] of cases) {
      const res = await quote(id, query);
      expect({ query, status: res.status, code: res.body.error?.code }).toEqual({
        query,
        status,
        code,
      });
      // The booking request gets the very same answer (a bad query is a bad body there).
      if (status !== 400) {
        const request = await requestBooking(traveler, {
          propertyId: id,
          checkIn: String(query.checkIn),
          checkOut: String(query.checkOut),
          guests: Number(query.guests),
        });
        expect({ query, status: request.status, code: request.body.error.code }).toEqual({
          query,
          status,
          code,
        });
      }
    }
  });
});

describe('the calendar of a listing', () => {
  const calendar = (propertyId: string, query = '') =>
    api(`/api/properties/${propertyId}/calendar${query}`);

  it('shows each day free or taken, so a picker can grey out taken nights', async () => {
    const property = await createProperty(owner, { city: uniqueCity() });
    const booked = await requestBooking(traveler, {
      propertyId: property.id,
      checkIn: daysFromNow(10),
      checkOut: daysFromNow(12),
      guests: 1,
    });
    expect(booked.status).toBe(201);
    const res = await calendar(property.id, `?from=${daysFromNow(8)}&to=${daysFromNow(13)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      propertyId: property.id,
      from: daysFromNow(8),
      to: daysFromNow(13),
      available: true,
    });
    expect(res.body.days).toEqual([
      { date: daysFromNow(8), status: 'free' },
      { date: daysFromNow(9), status: 'free' },
      { date: daysFromNow(10), status: 'taken' },
      { date: daysFromNow(11), status: 'taken' },
      // Check-out day: the night is free again.
      { date: daysFromNow(12), status: 'free' },
      { date: daysFromNow(13), status: 'free' },
    ]);
    expect(res.body.firstCheckIn >= daysFromNow(0)).toBe(true);
    expect(res.body.lastCheckIn > daysFromNow(700)).toBe(true);

    // Rejected: the nights come back.
    await api(`/api/owners/bookings/${booked.body.booking.id}/reject`, {
      method: 'PUT',
      token: owner.token,
    });
    await eventually(async () => {
      const again = await calendar(property.id, `?from=${daysFromNow(10)}&to=${daysFromNow(11)}`);
      expect(again.body.days.map((d: { status: string }) => d.status)).toEqual(['free', 'free']);
    });
  });

  it('covers 90 days by default and at most a year per call', async () => {
    const property = await createProperty(owner, { city: uniqueCity() });
    const byDefault = await calendar(property.id);
    expect(byDefault.status).toBe(200);
    expect(byDefault.body.days).toHaveLength(90);
    expect(byDefault.body.from).toBe(daysFromNow(0));
    const year = await calendar(property.id, `?from=${daysFromNow(0)}&to=${daysFromNow(365)}`);
    expect(year.status).toBe(200);
    expect(year.body.days).toHaveLength(366);

    const tooLong = await calendar(property.id, `?from=${daysFromNow(0)}&to=${daysFromNow(366)}`);
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body.error.details)).toMatch(/at most 366 days/);
    const backwards = await calendar(property.id, `?from=${daysFromNow(5)}&to=${daysFromNow(4)}`);
    expect(backwards.status).toBe(400);
    const unknown = await calendar('c'.repeat(24));
    expect(unknown.status).toBe(404);
    const extra = await calendar(property.id, '?days=3');
    expect(extra.status).toBe(400);
  });
});

describe('the owner dashboard', () => {
  it('lists my listings with their pending requests and upcoming stays', async () => {
    const me = await signUp('owner');
    const city = uniqueCity();
    const requested = await createProperty(me, { city, name: 'Requested' });
    const accepted = await createProperty(me, { city, name: 'Accepted' });
    const quiet = await createProperty(me, { city, name: 'Quiet' });
    const guest = await signUp('traveler');
    const pending = await requestBooking(guest, {
      propertyId: requested.id,
      checkIn: daysFromNow(30),
      checkOut: daysFromNow(32),
      guests: 1,
    });
    const toAccept = await requestBooking(guest, {
      propertyId: accepted.id,
      checkIn: daysFromNow(40),
      checkOut: daysFromNow(42),
      guests: 1,
    });
    expect([pending.status, toAccept.status]).toEqual([201, 201]);
    await api(`/api/owners/bookings/${toAccept.body.booking.id}/approve`, {
      method: 'PUT',
      token: me.token,
    });
    await eventually(async () => {
      const list = await api('/api/owners/properties', { token: me.token });
      expect(list.status).toBe(200);
      const counts = Object.fromEntries(
        list.body.properties.map(
          (p: { name: string; pendingBookings: number; upcomingBookings: number }) => [
            p.name,
            [p.pendingBookings, p.upcomingBookings],
          ],
        ),
      );
      expect(counts).toEqual({ Requested: [1, 0], Accepted: [0, 1], Quiet: [0, 0] });
    });
    expect(quiet.id).toBeDefined();
  });

  it('charts my revenue by check-in month over the last twelve months', async () => {
    const me = await signUp('owner');
    const property = await createProperty(me, { city: uniqueCity() });
    // A stay that checked in 40 days ago and is over: written as the saga would have left it.
    const checkIn = new Date(`${daysFromNow(-40)}T00:00:00.000Z`);
    const stay = (status: string, totalPrice: number, at: Date) => ({
      _id: new mongoose.Types.ObjectId(),
      propertyId: new mongoose.Types.ObjectId(property.id),
      propertyName: property.name,
      ownerId: new mongoose.Types.ObjectId(me.id),
      travelerId: new mongoose.Types.ObjectId(traveler.id),
      travelerName: 'Past guest',
      checkIn: at,
      checkOut: new Date(at.getTime() + 2 * 86_400_000),
      guests: 1,
      nights: 2,
      pricePerNight: 100,
      cleaningFee: 0,
      serviceFee: 0,
      totalPrice,
      status,
      ownerDecisionDeadline: at,
    });
    await Booking.insertMany([
      stay('COMPLETED', 200, checkIn),
      stay('COMPLETED', 150.25, checkIn),
      stay('REJECTED', 999, checkIn),
      // Thirteen months back: outside the chart.
      stay('COMPLETED', 500, new Date(checkIn.getTime() - 400 * 86_400_000)),
    ]);

    const res = await api('/api/owners/bookings/stats/monthly', { token: me.token });
    expect(res.status).toBe(200);
    expect(res.body.currency).toBe('USD');
    expect(res.body.months).toHaveLength(12);
    const thisMonth = new Date().toISOString().slice(0, 7);
    expect(res.body.months.at(-1).month).toBe(thisMonth);
    const month = checkIn.toISOString().slice(0, 7);
    const charted = res.body.months.filter((m: { bookings: number }) => m.bookings > 0);
    expect(charted).toEqual([{ month, bookings: 2, revenue: 350.25 }]);

    const asTraveler = await api('/api/owners/bookings/stats/monthly', { token: traveler.token });
    expect(asTraveler.status).toBe(403);
  });
});
