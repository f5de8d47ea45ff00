/**
 * The Property service on the real stack: owners edit and delete their own listings (never
 * someone else's, never one with a live booking), and anyone searches the available ones by
 * city, price, size, amenities and free dates, sorted and paged. Other suites create listings
 * in the same database at the same time, so every search here is scoped to a city of its own.
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Property } from '../../db/models.js';
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
let otherOwner: Actor;
let traveler: Actor;

beforeAll(async () => {
  await connectTestDatabase();
  [owner, otherOwner, traveler] = await Promise.all([
    signUp('owner'),
    signUp('owner'),
    signUp('traveler'),
  ]);
});

afterAll(async () => {
  await disconnectTestDatabase();
});

const uniqueCity = () => `Testville-${randomUUID()}`;

function search(query: Record<string, string | number>) {
  const params = new URLSearchParams(
    Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]),
  );
  return api(`/api/properties?${params.toString()}`);
}

const names = (res: { body: { properties: { name: string }[] } }) =>
  res.body.properties.map((p) => p.name);

async function bookingStatus(bookingId: string) {
  const res = await api(`/api/bookings/${bookingId}`, { token: traveler.token });
  return res.body.booking.status as string;
}

describe('an owner edits a property', () => {
  it('changes only the fields sent, keeping cityLower in step with city', async () => {
    const property = await createProperty(owner, { city: uniqueCity(), amenities: ['wifi'] });

    const edited = await api(`/api/properties/${property.id}`, {
      method: 'PUT',
      token: owner.token,
      body: { city: 'Porto', pricePerNight: 180.5, amenities: ['wifi', 'pool'] },
    });

    expect(edited.status).toBe(200);
    expect(edited.body.property).toMatchObject({
      id: property.id,
      ownerId: owner.id,
      name: 'Luxury Beach Villa',
      city: 'Porto',
      pricePerNight: 180.5,
      cleaningFee: 60,
      amenities: ['wifi', 'pool'],
      maxGuests: 6,
    });
    const doc = await Property.findById(property.id).lean();
    expect(doc).toMatchObject({ city: 'Porto', cityLower: 'porto', pricePerNight: 180.5 });
    const read = await api(`/api/properties/${property.id}`);
    // Its own page adds the host's card to the listing as edited.
    expect(read.body.property).toEqual({ ...edited.body.property, host: expect.any(Object) });
  });

  it('is refused to another owner, a traveler and anonymous callers, and to malformed edits', async () => {
    const property = await createProperty(owner, { city: uniqueCity() });
    const edit = (token: string | undefined, body: unknown, id = property.id) =>
      api(`/api/properties/${id}`, { method: 'PUT', token, body });

    const cases = [
      { res: await edit(otherOwner.token, { pricePerNight: 1 }), status: 403, code: 'forbidden' },
      { res: await edit(traveler.token, { pricePerNight: 1 }), status: 403, code: 'forbidden' },
      { res: await edit(undefined, { pricePerNight: 1 }), status: 401, code: 'unauthenticated' },
      {
        res: await edit(owner.token, { ownerId: otherOwner.id }),
        status: 400,
        code: 'validation_failed',
      },
      { res: await edit(owner.token, { cityLower: 'x' }), status: 400, code: 'validation_failed' },
      { res: await edit(owner.token, {}), status: 400, code: 'validation_failed' },
      {
        res: await edit(owner.token, { pricePerNight: '99' }),
        status: 400,
        code: 'validation_failed',
      },
      {
        res: await edit(owner.token, { pricePerNight: 0 }),
        status: 400,
        code: 'validation_failed',
      },
      { res: await edit(owner.token, { city: '  ' }), status: 400, code: 'validation_failed' },
      {
        res: await edit(owner.token, { pricePerNight: 1 }, 'not-an-id'),
        status: 400,
        code: 'validation_failed',
      },
      {
        res: await edit(
          owner.token,
          { pricePerNight: 1 },
          new mongoose.Types.ObjectId().toString(),
        ),
        status: 404,
        code: 'not_found',
      },
    ];
    for (const { res, status, code } of cases) {
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
    }
    const doc = await Property.findById(property.id).lean();
    expect(doc).toMatchObject({
      pricePerNight: 250,
      ownerId: new mongoose.Types.ObjectId(owner.id),
    });
  });

  it('can take a listing off the search and put it back', async () => {
    const city = uniqueCity();
    const property = await createProperty(owner, { city });
    const setAvailable = (available: boolean) =>
      api(`/api/properties/${property.id}`, {
        method: 'PUT',
        token: owner.token,
        body: { available },
      });

    expect((await setAvailable(false)).body.property.available).toBe(false);
    expect((await search({ city })).body.total).toBe(0);
    expect((await setAvailable(true)).status).toBe(200);
    expect(names(await search({ city }))).toEqual(['Luxury Beach Villa']);
  });
});

describe('an owner deletes a property', () => {
  it('is refused while a booking is PENDING and allowed once the owner rejected it', async () => {
    const city = uniqueCity();
    const property = await createProperty(owner, { city });
    const booked = await requestBooking(traveler, {
      propertyId: property.id,
      checkIn: daysFromNow(20),
      checkOut: daysFromNow(22),
      guests: 2,
    });
    expect(booked.status).toBe(201);
    const bookingId = booked.body.booking.id as string;
    const remove = (token: string) =>
      api(`/api/properties/${property.id}`, { method: 'DELETE', token });

    const refused = await remove(owner.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('property_has_live_bookings');
    expect((await remove(otherOwner.token)).status).toBe(403);
    expect((await remove(traveler.token)).status).toBe(403);
    expect(await Property.exists({ _id: property.id })).not.toBeNull();

    const rejected = await api(`/api/owners/bookings/${bookingId}/reject`, {
      method: 'PUT',
      token: owner.token,
    });
    expect(rejected.status).toBe(202);
    await eventually(async () => expect(await bookingStatus(bookingId)).toBe('REJECTED'));

    const deleted = await remove(owner.token);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect(await Property.exists({ _id: property.id })).toBeNull();
    expect((await api(`/api/properties/${property.id}`)).status).toBe(404);
    expect((await search({ city })).body.total).toBe(0);
    expect((await remove(owner.token)).status).toBe(404);
    // The booking's own record outlives the listing.
    expect(await bookingStatus(bookingId)).toBe('REJECTED');
  });

  it('answers 400 for a malformed id and 401 without a session', async () => {
    const malformed = await api('/api/properties/xyz', { method: 'DELETE', token: owner.token });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('validation_failed');
    const property = await createProperty(owner, { city: uniqueCity() });
    const anonymous = await api(`/api/properties/${property.id}`, { method: 'DELETE' });
    expect(anonymous.status).toBe(401);
  });
});

describe('searching properties', () => {
  const city = uniqueCity();
  let familyHouseId: string;

  beforeAll(async () => {
    // Created one after another, so `newest` is known: Cheap Studio, Beach Villa, Family House.
    familyHouseId = (
      await createProperty(owner, {
        name: 'Family House',
        type: 'house',
        city: city.toUpperCase(),
        pricePerNight: 150,
        maxGuests: 6,
        bedrooms: 3,
        amenities: ['wifi', 'pool', 'kitchen'],
      })
    ).id;
    await createProperty(otherOwner, {
      name: 'Beach Villa',
      type: 'villa',
      city,
      pricePerNight: 300,
      maxGuests: 8,
      bedrooms: 4,
      amenities: ['wifi', 'pool'],
    });
    await createProperty(owner, {
      name: 'Cheap Studio',
      type: 'apartment',
      city: city.toLowerCase(),
      pricePerNight: 80,
      maxGuests: 2,
      bedrooms: 1,
      amenities: ['wifi'],
    });
    await createProperty(owner, {
      name: 'Hidden Loft',
      type: 'apartment',
      city,
      pricePerNight: 120,
      available: false,
    });
  });

  it('finds the available listings of a city in any case, by the start of its name', async () => {
    const all = await search({ city });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ page: 1, limit: 20, total: 3 });
    expect(names(all).sort()).toEqual(['Beach Villa', 'Cheap Studio', 'Family House']);
    const prices = (all.body.properties as { pricePerNight: unknown }[]).map(
      (p) => p.pricePerNight,
    );
    expect(prices.every((price) => typeof price === 'number')).toBe(true);

    for (const spelling of [
      city.toLowerCase(),
      city.toUpperCase(),
      ` ${city} `,
      city.slice(0, -6),
    ]) {
      expect((await search({ city: spelling })).body.total).toBe(3);
    }
    expect((await search({ city: `${city}x` })).body.total).toBe(0);
    expect((await search({ city: city.slice(1) })).body.total).toBe(0);
  });

  it('takes regular-expression characters in the city literally', async () => {
    for (const nasty of ['.*(', '.*', 'Testville-.*', '[', '(?i)testville', '\\', '$where']) {
      const res = await search({ city: nasty });
      expect({ nasty, status: res.status, total: res.body.total }).toEqual({
        nasty,
        status: 200,
        total: 0,
      });
    }
  });

  it('filters by nightly price, guests, bedrooms and type', async () => {
    const found = async (query: Record<string, string | number>) =>
      names(await search({ city, sort: 'price_asc', ...query }));

    expect(await found({ minPrice: 100 })).toEqual(['Family House', 'Beach Villa']);
    expect(await found({ maxPrice: 150 })).toEqual(['Cheap Studio', 'Family House']);
    expect(await found({ minPrice: 100, maxPrice: 200 })).toEqual(['Family House']);
    expect(await found({ minPrice: 150, maxPrice: 150 })).toEqual(['Family House']);
    expect(await found({ guests: 6 })).toEqual(['Family House', 'Beach Villa']);
    expect(await found({ guests: 9 })).toEqual([]);
    expect(await found({ bedrooms: 4 })).toEqual(['Beach Villa']);
    expect(await found({ type: 'villa' })).toEqual(['Beach Villa']);
    expect(await found({ type: 'apartment', maxPrice: 500 })).toEqual(['Cheap Studio']);
  });

  it('keeps only listings with every amenity asked for', async () => {
    const found = async (amenities: string) =>
      names(await search({ city, sort: 'price_asc', amenities }));

    expect(await found('wifi')).toEqual(['Cheap Studio', 'Family House', 'Beach Villa']);
    expect(await found('pool,wifi')).toEqual(['Family House', 'Beach Villa']);
    expect(await found(' pool , kitchen ')).toEqual(['Family House']);
    expect(await found('pool,sauna')).toEqual([]);
  });

  it('with dates, leaves out a listing with a held night in the stay and keeps it otherwise', async () => {
    const booked = await requestBooking(traveler, {
      propertyId: familyHouseId,
      checkIn: daysFromNow(30),
      checkOut: daysFromNow(33),
      guests: 2,
    });
    expect(booked.status).toBe(201);
    // Accepted, so the nights stay held beyond the owner's decision deadline.
    const bookingId = booked.body.booking.id as string;
    const approved = await api(`/api/owners/bookings/${bookingId}/approve`, {
      method: 'PUT',
      token: owner.token,
    });
    expect(approved.status).toBe(202);
    await eventually(async () => expect(await bookingStatus(bookingId)).toBe('ACCEPTED'));

    const free = async (checkIn: number, checkOut: number) =>
      names(
        await search({
          city,
          sort: 'price_asc',
          checkIn: daysFromNow(checkIn),
          checkOut: daysFromNow(checkOut),
        }),
      );
    const everyone = ['Cheap Studio', 'Family House', 'Beach Villa'];

    expect(await free(31, 34)).toEqual(['Cheap Studio', 'Beach Villa']);
    expect(await free(29, 31)).toEqual(['Cheap Studio', 'Beach Villa']);
    expect(await free(25, 40)).toEqual(['Cheap Studio', 'Beach Villa']);
    expect(await free(32, 33)).toEqual(['Cheap Studio', 'Beach Villa']);
    // Check-out on the first booked night, or check-in on the booking's check-out day: no overlap.
    expect(await free(27, 30)).toEqual(everyone);
    expect(await free(33, 36)).toEqual(everyone);
    const total = await search({ city, checkIn: daysFromNow(31), checkOut: daysFromNow(32) });
    expect(total.body.total).toBe(2);
  });

  it('sorts by price either way and by newest, newest being the default', async () => {
    expect(names(await search({ city, sort: 'price_asc' }))).toEqual([
      'Cheap Studio',
      'Family House',
      'Beach Villa',
    ]);
    expect(names(await search({ city, sort: 'price_desc' }))).toEqual([
      'Beach Villa',
      'Family House',
      'Cheap Studio',
    ]);
    const newest = ['Cheap Studio', 'Beach Villa', 'Family House'];
    expect(names(await search({ city, sort: 'newest' }))).toEqual(newest);
    expect(names(await search({ city }))).toEqual(newest);
  });

  it('pages through the matches, each page carrying the total', async () => {
    const page = (n: number) => search({ city, sort: 'price_asc', limit: 2, page: n });

    const first = await page(1);
    expect(first.body).toMatchObject({ page: 1, limit: 2, total: 3 });
    expect(names(first)).toEqual(['Cheap Studio', 'Family House']);
    const second = await page(2);
    expect(second.body).toMatchObject({ page: 2, limit: 2, total: 3 });
    expect(names(second)).toEqual(['Beach Villa']);
    const beyond = await page(3);
    expect(beyond.body).toMatchObject({ page: 3, limit: 2, total: 3, properties: [] });
  });

  it('answers 400 for unknown, malformed or contradictory parameters', async () => {
    const invalid: Record<string, string | number>[] = [
      { minPrice: 200, maxPrice: 100 },
      { minPrice: -1 },
      { maxPrice: 'cheap' },
      { guests: 0 },
      { guests: 2.5 },
      { bedrooms: -1 },
      { amenities: ' , ,' },
      { checkIn: daysFromNow(10) },
      { checkOut: daysFromNow(10) },
      { checkIn: daysFromNow(10), checkOut: daysFromNow(10) },
      { checkIn: daysFromNow(12), checkOut: daysFromNow(10) },
      { checkIn: daysFromNow(-3), checkOut: daysFromNow(2) },
      { checkIn: daysFromNow(10), checkOut: daysFromNow(101) },
      { checkIn: '2030-13-45', checkOut: '2030-14-02' },
      { checkIn: 'tomorrow', checkOut: daysFromNow(10) },
      { sort: 'cheapest' },
      { page: 0 },
      { limit: 0 },
      { limit: 101 },
      { limit: 'all' },
      { ownerId: owner.id },
      { available: 'false' },
    ];
    for (const query of invalid) {
      const res = await search({ city, ...query });
      expect({ query, status: res.status, code: res.body?.error?.code }).toEqual({
        query,
        status: 400,
        code: 'validation_failed',
      });
    }
    const details = (await search({ minPrice: 200, maxPrice: 100 })).body.error.details;
    expect(details).toEqual([{ path: 'minPrice', message: 'must not exceed maxPrice' }]);
  });

  it('accepts the longest bookable stay', async () => {
    // 90 nights, after the Family House's booked ones.
    const res = await search({ city, checkIn: daysFromNow(40), checkOut: daysFromNow(130) });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(3);
  });
});
