/**
 * Who may do what, as a matrix: each role against each other user's resources. And a table of
 * bad inputs: every one answered with a JSON error and the right 4xx, never a 500.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  createProperty,
  daysFromNow,
  requestBooking,
  signUp,
  type Actor,
} from '../support/api-client.js';

let ownerA: Actor;
let ownerB: Actor;
let travelerA: Actor;
let travelerB: Actor;
let propertyId: string;
let bookingId: string;

beforeAll(async () => {
  [ownerA, ownerB, travelerA, travelerB] = await Promise.all([
    signUp('owner'),
    signUp('owner'),
    signUp('traveler'),
    signUp('traveler'),
  ]);
  propertyId = (await createProperty(ownerA)).id;
  const booked = await requestBooking(travelerA, {
    propertyId,
    checkIn: daysFromNow(400),
    checkOut: daysFromNow(403),
    guests: 2,
  });
  bookingId = booked.body.booking.id as string;
});

const LISTING = {
  name: 'Quiet Flat',
  type: 'apartment',
  city: 'Lisbon',
  country: 'Portugal',
  bedrooms: 1,
  bathrooms: 1,
  maxGuests: 2,
  pricePerNight: 90,
};

type Who = 'anonymous' | 'travelerA' | 'travelerB' | 'ownerA' | 'ownerB';
const token = (who: Who) =>
  ({
    anonymous: undefined,
    travelerA: travelerA.token,
    travelerB: travelerB.token,
    ownerA: ownerA.token,
    ownerB: ownerB.token,
  })[who];

/**
 * travelerA booked ownerA's property. Expected status per caller; the allowed calls that would
 * change state are checked without side effects (a body that fails validation after the
 * authorization check would hide the check, so allowed writes are not sent here).
 */
const MATRIX: {
  call: string;
  method: string;
  path: () => string;
  body?: unknown;
  expect: Partial<Record<Who, number>>;
}[] = [
  {
    call: 'read a booking',
    method: 'GET',
    path: () => `/api/bookings/${bookingId}`,
    // Someone else's booking answers like a missing one: ids are not confirmed to outsiders.
    expect: { anonymous: 401, travelerA: 200, travelerB: 404, ownerA: 200, ownerB: 404 },
  },
  {
    call: 'traveler-cancel a booking',
    method: 'PUT',
    path: () => `/api/bookings/${bookingId}/cancel`,
    body: {},
    expect: { anonymous: 401, travelerB: 404, ownerA: 403, ownerB: 403 },
  },
  ...['approve', 'reject', 'cancel'].map((action) => ({
    call: `owner-${action} a booking`,
    method: 'PUT',
    path: () => `/api/owners/bookings/${bookingId}/${action}`,
    body: {},
    expect: { anonymous: 401, travelerA: 403, travelerB: 403, ownerB: 404 },
  })),
  {
    call: 'request a booking',
    method: 'POST',
    path: () => '/api/travelers/bookings',
    body: {
      propertyId: '0'.repeat(24),
      checkIn: daysFromNow(500),
      checkOut: daysFromNow(501),
      guests: 1,
    },
    expect: { anonymous: 401, ownerA: 403, ownerB: 403, travelerB: 404 },
  },
  {
    call: "list a traveler's bookings",
    method: 'GET',
    path: () => '/api/travelers/bookings',
    expect: { anonymous: 401, ownerA: 403, travelerA: 200, travelerB: 200 },
  },
  {
    call: "list an owner's bookings and stats",
    method: 'GET',
    path: () => '/api/owners/bookings/stats',
    expect: { anonymous: 401, travelerA: 403, ownerA: 200, ownerB: 200 },
  },
  {
    call: 'edit a property',
    method: 'PUT',
    path: () => `/api/properties/${propertyId}`,
    body: { name: 'Taken over' },
    expect: { anonymous: 401, travelerA: 403, travelerB: 403, ownerB: 403 },
  },
  {
    call: 'delete a property',
    method: 'DELETE',
    path: () => `/api/properties/${propertyId}`,
    expect: { anonymous: 401, travelerA: 403, ownerB: 403, ownerA: 409 },
  },
  {
    call: 'list notifications',
    method: 'GET',
    path: () => '/api/notifications',
    expect: { anonymous: 401, travelerA: 200, ownerA: 200 },
  },
];

describe('authorization', () => {
  it('lets each role reach only its own resources', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const row of MATRIX) {
      for (const [who, status] of Object.entries(row.expect) as [Who, number][]) {
        const res = await api(row.path(), {
          method: row.method,
          token: token(who),
          body: row.body,
        });
        outcomes.push(`${row.call} as ${who}: ${res.status}`);
        expected.push(`${row.call} as ${who}: ${status}`);
        if (res.status >= 400)
          expect(res.body.error).toMatchObject({
            code: expect.any(String),
            message: expect.any(String),
          });
      }
    }
    expect(outcomes).toEqual(expected);
  });

  it('shows each user only their own bookings in lists', async () => {
    const mine = await api('/api/travelers/bookings', { token: travelerA.token });
    const theirs = await api('/api/travelers/bookings', { token: travelerB.token });
    expect(mine.body.bookings.map((b: { id: string }) => b.id)).toContain(bookingId);
    expect(theirs.body.bookings.map((b: { id: string }) => b.id)).not.toContain(bookingId);
    const incoming = await api('/api/owners/bookings', { token: ownerA.token });
    const other = await api('/api/owners/bookings', { token: ownerB.token });
    expect(incoming.body.bookings.map((b: { id: string }) => b.id)).toContain(bookingId);
    expect(other.body.total).toBe(0);
  });
});

describe('bad input', () => {
  it('is refused with a JSON error and the right 4xx, never a 500', async () => {
    const book = (body: unknown) =>
      api('/api/travelers/bookings', { method: 'POST', token: travelerB.token, body });
    const listing = (fields: Record<string, unknown>) =>
      api('/api/properties', {
        method: 'POST',
        token: ownerA.token,
        body: { ...LISTING, ...fields },
      });
    const stay = { propertyId, checkIn: daysFromNow(600), checkOut: daysFromNow(602), guests: 2 };
    const table: [string, Promise<{ status: number; body: any }>, number, string][] = [
      [
        'bad booking id',
        api('/api/bookings/123', { token: travelerA.token }),
        400,
        'validation_failed',
      ],
      [
        'unknown booking id',
        api(`/api/bookings/${'a'.repeat(24)}`, { token: travelerA.token }),
        404,
        'not_found',
      ],
      ['bad property id in body', book({ ...stay, propertyId: 'xyz' }), 400, 'validation_failed'],
      ['unknown property', book({ ...stay, propertyId: 'b'.repeat(24) }), 404, 'not_found'],
      [
        'reversed dates',
        book({ ...stay, checkIn: daysFromNow(605), checkOut: daysFromNow(604) }),
        422,
        'invalid_stay',
      ],
      ['empty stay', book({ ...stay, checkOut: stay.checkIn }), 422, 'invalid_stay'],
      [
        'past dates',
        book({ ...stay, checkIn: daysFromNow(-3), checkOut: daysFromNow(-1) }),
        422,
        'invalid_stay',
      ],
      ['impossible date', book({ ...stay, checkIn: '2031-02-30' }), 400, 'validation_failed'],
      [
        'date with a time of day',
        book({ ...stay, checkIn: `${stay.checkIn}T10:00:00Z` }),
        400,
        'validation_failed',
      ],
      ['too long a stay', book({ ...stay, checkOut: daysFromNow(700) }), 422, 'invalid_stay'],
      ['guests over capacity', book({ ...stay, guests: 7 }), 422, 'too_many_guests'],
      ['zero guests', book({ ...stay, guests: 0 }), 400, 'validation_failed'],
      ['guests as a string', book({ ...stay, guests: '2' }), 400, 'validation_failed'],
      ['dates as numbers', book({ ...stay, checkIn: 20300101 }), 400, 'validation_failed'],
      ['a client-supplied price', book({ ...stay, totalPrice: 1 }), 400, 'validation_failed'],
      ['missing fields', book({ propertyId }), 400, 'validation_failed'],
      ['an array body', book([stay]), 400, 'validation_failed'],
      [
        'malformed JSON',
        api('/api/travelers/bookings', {
          method: 'POST',
          token: travelerB.token,
          rawBody: '{"a":',
          headers: { 'content-type': 'application/json' },
        }),
        400,
        'invalid_json',
      ],
      [
        'oversized body',
        api('/api/travelers/bookings', {
          method: 'POST',
          token: travelerB.token,
          rawBody: JSON.stringify({ pad: 'x'.repeat(70_000) }),
          headers: { 'content-type': 'application/json' },
        }),
        413,
        'body_too_large',
      ],
      [
        'bad Idempotency-Key',
        api('/api/travelers/bookings', {
          method: 'POST',
          token: travelerB.token,
          body: stay,
          headers: { 'idempotency-key': 'x'.repeat(201) },
        }),
        400,
        'validation_failed',
      ],
      [
        'unknown decision field',
        api(`/api/owners/bookings/${bookingId}/approve`, {
          method: 'PUT',
          token: ownerA.token,
          body: { status: 'ACCEPTED' },
        }),
        400,
        'validation_failed',
      ],
      [
        'bad list query',
        api('/api/owners/bookings?limit=1000', { token: ownerA.token }),
        400,
        'validation_failed',
      ],
      [
        'unknown list filter',
        api('/api/owners/bookings?owner=everyone', { token: ownerA.token }),
        400,
        'validation_failed',
      ],
      [
        'bad status filter',
        api('/api/travelers/bookings?status=LOST', { token: travelerA.token }),
        400,
        'validation_failed',
      ],
      ['a garbage token', api('/api/auth/me', { token: 'not-a-session' }), 401, 'unauthenticated'],
      ['an unknown route', api('/api/nowhere'), 404, 'not_found'],
      [
        'a NUL byte in a search',
        api('/api/owners/bookings?q=%00', { token: ownerA.token }),
        400,
        'validation_failed',
      ],
      ['a BEL in a city search', api('/api/properties?city=Lis%07bon'), 400, 'validation_failed'],
      ['a NUL in a parameter name', api('/api/properties?%00=1'), 400, 'validation_failed'],
      ['a NUL in a listing name', listing({ name: 'Villa\u0000' }), 400, 'validation_failed'],
      ['a BEL in a city', listing({ city: 'Lis\u0007bon' }), 400, 'validation_failed'],
      [
        'a right-to-left override',
        listing({ city: 'Lisbon\u202Egpj.exe' }),
        400,
        'validation_failed',
      ],
      [
        'a script for a photo',
        listing({ images: ['javascript:alert(1)'] }),
        400,
        'validation_failed',
      ],
      [
        'a data: photo',
        listing({ images: ['data:image/png;base64,AAAA'] }),
        400,
        'validation_failed',
      ],
      [
        'a lone surrogate in a reason',
        api(`/api/owners/bookings/${bookingId}/reject`, {
          method: 'PUT',
          token: ownerA.token,
          rawBody: '{"reason":"no \\ud800 thanks"}',
        }),
        400,
        'validation_failed',
      ],
      [
        'an ESC in a profile name',
        api('/api/auth/profile', {
          method: 'PUT',
          token: travelerA.token,
          body: { name: 'Tom\u001b[31m' },
        }),
        400,
        'validation_failed',
      ],
      [
        'JSON sent as text/plain (a cross-site form can)',
        api('/api/auth/login', {
          method: 'POST',
          rawBody: JSON.stringify({ email: travelerA.email, password: 'a-long-password' }),
          headers: { 'content-type': 'text/plain' },
        }),
        415,
        'unsupported_media_type',
      ],
      [
        'a urlencoded form',
        api('/api/auth/signup', {
          method: 'POST',
          rawBody: 'email=x%40example.com&password=a-long-password&name=X&role=owner',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
        415,
        'unsupported_media_type',
      ],
      [
        'an unsupported method on a known path',
        api(`/api/bookings/${bookingId}`, { method: 'DELETE', token: travelerA.token }),
        405,
        'method_not_allowed',
      ],
      [
        'a stay that starts today',
        book({ ...stay, checkIn: daysFromNow(0), checkOut: daysFromNow(2) }),
        422,
        'check_in_too_soon',
      ],
      [
        'a stay in the year 9999',
        book({ ...stay, checkIn: '9999-01-01', checkOut: '9999-01-03' }),
        422,
        'check_in_too_far',
      ],
    ];
    const results = await Promise.all(
      table.map(async ([name, call, status, code]) => {
        const res = await call;
        return { name, got: `${res.status} ${res.body?.error?.code}`, want: `${status} ${code}` };
      }),
    );
    expect(results.map((r) => `${r.name}: ${r.got}`)).toEqual(
      results.map((r) => `${r.name}: ${r.want}`),
    );
  });
});
