/**
 * What travelers and owners read: their booking lists (filters, search, sort, pages), the
 * owner's stats by status, notifications with mark-as-read, and the API's own documentation.
 */
import { beforeAll, afterAll, describe, expect, inject, it } from 'vitest';
import { Booking } from '../../db/models.js';
import {
  api,
  createProperty,
  daysFromNow,
  localMailbox,
  requestBooking,
  signUp,
  type Actor,
} from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { connectTestDatabase, disconnectTestDatabase } from '../support/stack-clients.js';

let owner: Actor;
let tom: Actor;
let amara: Actor;
let villa: { id: string };
let flat: { id: string };
const ids: Record<string, string> = {};

async function waitForStatus(bookingId: string, status: string) {
  await eventually(async () =>
    expect((await Booking.findById(bookingId).lean())?.status).toBe(status),
  );
}

beforeAll(async () => {
  await connectTestDatabase();
  [owner, tom, amara] = await Promise.all([
    signUp('owner'),
    signUp('traveler', 'Tom Becker'),
    signUp('traveler', 'Amara (O.) Okafor'),
  ]);
  villa = await createProperty(owner, { name: 'Luxury Beach Villa', pricePerNight: 300 });
  flat = await createProperty(owner, {
    name: 'Alfama Rooftop Flat',
    pricePerNight: 100,
    cleaningFee: 0,
    serviceFee: 0,
  });
  const book = async (
    key: string,
    who: Actor,
    propertyId: string,
    from: number,
    nights: number,
  ) => {
    const res = await requestBooking(who, {
      propertyId,
      checkIn: daysFromNow(from),
      checkOut: daysFromNow(from + nights),
      guests: 2,
    });
    expect(res.status).toBe(201);
    ids[key] = res.body.booking.id as string;
  };
  await book('tomVilla', tom, villa.id, 500, 2); // 600 + 60 + 40 = 700, will be ACCEPTED
  await book('amaraVilla', amara, villa.id, 510, 1); // 400, will be REJECTED
  await book('tomFlat', tom, flat.id, 520, 3); // 300, stays PENDING
  await book('amaraFlat', amara, flat.id, 530, 2); // 200, will be CANCELLED by the traveler
  await api(`/api/owners/bookings/${ids.tomVilla}/approve`, { method: 'PUT', token: owner.token });
  await api(`/api/owners/bookings/${ids.amaraVilla}/reject`, {
    method: 'PUT',
    token: owner.token,
    body: { reason: 'Maintenance' },
  });
  await api(`/api/bookings/${ids.amaraFlat}/cancel`, {
    method: 'PUT',
    token: amara.token,
    body: { reason: 'Plans changed' },
  });
  await Promise.all([
    waitForStatus(ids.tomVilla as string, 'ACCEPTED'),
    waitForStatus(ids.amaraVilla as string, 'REJECTED'),
    waitForStatus(ids.amaraFlat as string, 'CANCELLED'),
  ]);
});

afterAll(async () => {
  await disconnectTestDatabase();
});

const idsOf = (res: { body: { bookings: { id: string }[] } }) => res.body.bookings.map((b) => b.id);

describe('booking lists', () => {
  it('show a traveler their own bookings, filtered and sorted', async () => {
    const all = await api('/api/travelers/bookings?sort=check_in', { token: tom.token });
    expect(idsOf(all)).toEqual([ids.tomVilla, ids.tomFlat]);
    expect(all.body).toMatchObject({ page: 1, limit: 20, total: 2 });
    const accepted = await api('/api/travelers/bookings?status=ACCEPTED', { token: tom.token });
    expect(idsOf(accepted)).toEqual([ids.tomVilla]);
    // Several statuses at once (a "cancelled or declined" tab), and a status that is not one.
    const either = await api('/api/travelers/bookings?status=ACCEPTED,PENDING&sort=check_in', {
      token: tom.token,
    });
    expect(idsOf(either)).toEqual([ids.tomVilla, ids.tomFlat]);
    const unknown = await api('/api/travelers/bookings?status=ACCEPTED,HAPPY', {
      token: tom.token,
    });
    expect(unknown.status).toBe(400);
  });

  it('show an owner the incoming bookings with filters, escaped search, sorting and pages', async () => {
    const q = (query: string) => api(`/api/owners/bookings?${query}`, { token: owner.token });
    expect((await q('')).body.total).toBe(4);
    expect(idsOf(await q('status=PENDING'))).toEqual([ids.tomFlat]);
    expect(idsOf(await q(`propertyId=${villa.id}&sort=check_in`))).toEqual([
      ids.tomVilla,
      ids.amaraVilla,
    ]);
    expect(idsOf(await q('q=tom&sort=check_in'))).toEqual([ids.tomVilla, ids.tomFlat]);
    expect(idsOf(await q('q=ROOFTOP&sort=check_in'))).toEqual([ids.tomFlat, ids.amaraFlat]);
    // Search text is taken literally: regex syntax matches only itself.
    expect(idsOf(await q(`q=${encodeURIComponent('(O.)')}&sort=check_in`))).toEqual([
      ids.amaraVilla,
      ids.amaraFlat,
    ]);
    expect((await q(`q=${encodeURIComponent('.*')}`)).body.total).toBe(0);
    expect(idsOf(await q('sort=price_desc')).at(0)).toBe(ids.tomVilla);
    const page2 = await q('sort=check_in&limit=3&page=2');
    expect(page2.body).toMatchObject({ page: 2, limit: 3, total: 4 });
    expect(idsOf(page2)).toEqual([ids.amaraFlat]);
  });

  it('give the owner counts and revenue by status', async () => {
    const stats = await api('/api/owners/bookings/stats', { token: owner.token });
    expect(stats.status).toBe(200);
    expect(stats.body).toEqual({
      byStatus: {
        PENDING: { count: 1, revenue: 300 },
        ACCEPTED: { count: 1, revenue: 700 },
        REJECTED: { count: 1, revenue: 400 },
        EXPIRED: { count: 0, revenue: 0 },
        CANCELLED: { count: 1, revenue: 200 },
        COMPLETED: { count: 0, revenue: 0 },
      },
      total: 4,
      confirmedRevenue: 700,
    });
  });

  it("list the owner's own listings", async () => {
    const mine = await api('/api/owners/properties', { token: owner.token });
    expect(mine.body.properties.map((p: { id: string }) => p.id).sort()).toEqual(
      [villa.id, flat.id].sort(),
    );
  });
});

describe('notifications', () => {
  it('tell the owner of each request and the traveler of each transition, and can be marked read', async () => {
    const ownerNotes = await eventually(async () => {
      const res = await api('/api/notifications?limit=100', { token: owner.token });
      expect(
        res.body.notifications.filter((n: { kind: string }) => n.kind === 'booking-requested'),
      ).toHaveLength(4);
      return res;
    });
    expect(ownerNotes.body.unread).toBe(4);

    const amaraNotes = await eventually(async () => {
      const res = await api('/api/notifications', { token: amara.token });
      const kinds = res.body.notifications.map((n: { kind: string }) => n.kind).sort();
      expect(kinds).toEqual([
        'booking-cancelled',
        'booking-pending',
        'booking-pending',
        'booking-rejected',
      ]);
      return res;
    });
    const rejected = amaraNotes.body.notifications.find(
      (n: { kind: string }) => n.kind === 'booking-rejected',
    );
    expect(rejected.body).toContain('Reason: Maintenance');

    expect(
      (await api(`/api/notifications/${rejected.id}/read`, { method: 'PUT', token: amara.token }))
        .status,
    ).toBe(204);
    expect(
      (await api(`/api/notifications/${rejected.id}/read`, { method: 'PUT', token: tom.token }))
        .status,
    ).toBe(404);
    const unread = await api('/api/notifications?unread=true', { token: amara.token });
    expect(unread.body).toMatchObject({ total: 3, unread: 3 });
    expect(
      (await api('/api/notifications/read-all', { method: 'PUT', token: amara.token })).body,
    ).toEqual({ marked: 3 });
    expect((await api('/api/notifications', { token: amara.token })).body.unread).toBe(0);
  });

  it('go by email too for a request received and a decision made, once each', async () => {
    const box = localMailbox();
    const ownerMail = await eventually(async () => {
      const mail = await box.messagesTo(owner.email);
      expect(mail.filter((m) => m.subject === 'New booking request')).toHaveLength(4);
      return mail;
    });
    expect(ownerMail).toHaveLength(4);
    const amaraMail = await eventually(async () => {
      const mail = await box.messagesTo(amara.email);
      expect(mail.map((m) => m.subject).sort()).toEqual(['Booking cancelled', 'Booking rejected']);
      return mail;
    });
    const rejected = await box.waitForMessage(amara.email, /^Booking rejected$/);
    expect(rejected.text).toContain('Luxury Beach Villa is now REJECTED. Reason: Maintenance');
    expect(rejected.from.address).toBe('no-reply@staysaga.local');
    expect(amaraMail).toHaveLength(2);
    // The booking still PENDING has sent its traveler no email yet.
    expect((await box.messagesTo(tom.email)).map((m) => m.subject)).toEqual(['Booking accepted']);
  });
});

describe('the API documentation', () => {
  it('is served as OpenAPI 3.1 at /openapi.json and as interactive docs at /docs', async () => {
    const doc = await api('/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    const booking = doc.body.paths['/api/travelers/bookings'].post;
    expect(booking.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['propertyId', 'checkIn', 'checkOut', 'guests'],
      additionalProperties: false,
    });
    expect(Object.keys(booking.responses)).toEqual(expect.arrayContaining(['201', '409', '422']));
    const page = await fetch(`${inject('apiUrl')}/docs`);
    expect(await page.text()).toContain('SwaggerUIBundle');
    const bundle = await fetch(`${inject('apiUrl')}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await api('/docs/assets/..%2Fpackage.json')).status).toBe(404);
  });
});
