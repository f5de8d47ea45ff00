/**
 * Every hot path of a booking looks documents up by `_id` (sessions, night holds, bookings). This
 * proves the Mongo server the suite runs on answers those lookups from the `_id` index rather than
 * by reading the whole collection. On FerretDB that is what `stack/mongo.ts`'s patch fixes: as
 * shipped, its SQLite backend queried `_id` with an expression its index does not match.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Booking, NightHold, Session } from '../../db/models.js';

beforeAll(async () => {
  await mongoose.connect(inject('mongoUri'));
});

afterAll(async () => {
  await mongoose.disconnect();
});

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
