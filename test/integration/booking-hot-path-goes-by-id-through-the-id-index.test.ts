/**
 * Every hot path of a booking looks documents up by `_id` (sessions, night holds, bookings).
 * Proven twice: the queries the hot path sends are keyed by `_id` (exactly `{_id}` on FerretDB,
 * which serves no other filter from an index), and the server answers such a lookup from the
 * `_id` index rather than by reading the whole collection. On FerretDB the second is what
 * `stack/mongo.ts`'s patch fixes: as shipped, its SQLite backend queried `_id` with an expression
 * its index does not match.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyTransition, createPendingBooking, recordIgnoredDecision } from '../../db/bookings.js';
import { detectIdOnlyFilterServer } from '../../db/guarded-update.js';
import { Booking, NightHold, Session } from '../../db/models.js';
import { holdNights, releaseNights } from '../../db/night-ledger.js';
import type { TransitionRecord } from '../../domain/booking-history.js';
import { openSession, resolveSession } from '../../services/accounts.js';

beforeAll(async () => {
  await mongoose.connect(inject('mongoUri'));
  await detectIdOnlyFilterServer();
});

afterAll(async () => {
  mongoose.set('debug', false);
  await mongoose.disconnect();
});

const HOT_COLLECTIONS = new Set(['sessions', 'night_holds', 'bookings']);
/** Calls whose first argument is a filter (inserts and index builds have none). */
const FILTERED_METHODS = new Set([
  'find',
  'findOne',
  'findOneAndUpdate',
  'findOneAndDelete',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'countDocuments',
  'distinct',
]);
const oid = () => new mongoose.Types.ObjectId().toString();

/** The filter of every read, update and delete mongoose sends to the hot-path collections. */
function captureHotPathFilters(): { filters: { call: string; keys: string[] }[] } {
  const captured = { filters: [] as { call: string; keys: string[] }[] };
  mongoose.set('debug', (collection: string, method: string, ...args: unknown[]) => {
    if (!HOT_COLLECTIONS.has(collection) || !FILTERED_METHODS.has(method)) return;
    const filter = (args[0] ?? {}) as Record<string, unknown>;
    captured.filters.push({ call: `${collection}.${method}`, keys: Object.keys(filter) });
  });
  return captured;
}

type IdValue = string | mongoose.Types.ObjectId;

interface Explained {
  queryPlanner?: { Plan?: string[]; winningPlan?: unknown };
  serverInfo?: { ferretdbVersion?: string };
}

/** How the server says it finds one document by `_id`: the plan lines, as text. */
async function planOfIdLookup(collection: mongoose.Collection, id: IdValue): Promise<string> {
  const explained = (await collection.find({ _id: id } as never).explain()) as Explained;
  const plan = explained.queryPlanner?.Plan ?? [
    JSON.stringify(explained.queryPlanner?.winningPlan),
  ];
  return plan.join('\n');
}

describe('the booking hot path', () => {
  it('reads, updates and deletes sessions, night holds and bookings by _id', async () => {
    const isFerretDb =
      'ferretdbVersion' in (await mongoose.connection.db!.admin().command({ buildInfo: 1 }));
    const [bookingId, rivalId, propertyId, travelerId] = [oid(), oid(), oid(), oid()];
    const stay = { propertyId, nights: ['2031-03-01', '2031-03-02'] };
    const pending: TransitionRecord = {
      from: null,
      to: 'PENDING',
      at: new Date().toISOString(),
      actor: { role: 'traveler', userId: travelerId },
      source: { kind: 'api' },
    };
    const accepted: TransitionRecord = {
      ...pending,
      from: 'PENDING',
      to: 'ACCEPTED',
      actor: { role: 'owner', userId: oid() },
    };
    const captured = captureHotPathFilters();

    const { token } = await openSession({ id: travelerId, role: 'traveler' }, 60_000);
    expect(await resolveSession(token)).toEqual({ id: travelerId, role: 'traveler' });
    expect(await holdNights(bookingId, stay)).toEqual({ held: true });
    expect(await holdNights(bookingId, stay)).toEqual({ held: true }); // a retried hold
    expect(await holdNights(rivalId, stay)).toMatchObject({ held: false });
    await createPendingBooking({
      bookingId,
      propertyId,
      propertyName: 'Hot Path Villa',
      ownerId: oid(),
      travelerId,
      travelerName: 'Tess',
      checkIn: '2031-03-01T00:00:00.000Z',
      checkOut: '2031-03-03T00:00:00.000Z',
      guests: 2,
      price: {
        nights: 2,
        pricePerNight: 100,
        subtotal: 200,
        cleaningFee: 0,
        serviceFee: 0,
        totalPrice: 200,
      },
      ownerDecisionDeadline: new Date(Date.now() + 60_000).toISOString(),
      firstTransition: pending,
    });
    await applyTransition(bookingId, accepted);
    await applyTransition(bookingId, accepted); // a retried write is a no-op
    await recordIgnoredDecision(bookingId, {
      eventId: oid(),
      status: 'ACCEPTED',
      actor: accepted.actor,
      receivedAt: new Date().toISOString(),
      statusAtReceipt: 'ACCEPTED',
      ignoreReason: 'duplicate',
      source: { kind: 'api' },
    });
    expect(await releaseNights(bookingId, stay)).toBe(2);
    mongoose.set('debug', false);

    expect(captured.filters.length).toBeGreaterThan(5);
    for (const { call, keys } of captured.filters) {
      if (isFerretDb) expect({ call, keys }).toEqual({ call, keys: ['_id'] });
      else expect({ call, keys: keys[0] }).toEqual({ call, keys: '_id' });
    }
    const booking = await Booking.findById(bookingId).lean();
    expect(booking?.status).toBe('ACCEPTED');
    expect(booking?.history).toHaveLength(2);
    expect(
      await NightHold.countDocuments({ bookingId: new mongoose.Types.ObjectId(bookingId) }),
    ).toBe(0);
  });
});

describe('the Mongo server of the suite', () => {
  it.each<[string, mongoose.Collection, IdValue]>([
    ['sessions', Session.collection, 'a'.repeat(64)],
    ['night_holds', NightHold.collection, '65f000000000000000000000:2031-01-01'],
    ['bookings', Booking.collection, new mongoose.Types.ObjectId()],
  ])(
    'finds %s by _id through the _id index, not a collection scan',
    async (_name, collection, id) => {
      // The collection must exist and hold a document, or there is no table to plan over.
      await collection.insertOne({ _id: 'explain-probe' } as never).catch(() => undefined);
      const plan = await planOfIdLookup(collection, id);
      expect(plan).not.toMatch(/\bSCAN\b|COLLSCAN/);
      expect(plan).toMatch(/USING INDEX|IDHACK|EXPRESS|IXSCAN/);
      await collection.deleteOne({ _id: 'explain-probe' } as never);
    },
  );
});
