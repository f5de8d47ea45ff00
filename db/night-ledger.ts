import mongoose from 'mongoose';
import type { Night } from '../domain/stay.js';
import { isDuplicateKeyError } from './connection.js';
import { NightHold } from './models.js';

export type HoldResult = { held: true } | { held: false; conflictingNights: Night[] };

const holdId = (propertyId: string, night: Night) => `${propertyId}:${night}`;

/**
 * Holds every night of a stay for one booking, or none of them. Safe to retry: nights this
 * booking already holds count as held. Nights are inserted in calendar order, so when requests
 * race for the same nights the first to take the earliest shared night wins and the others
 * stop before holding any shared night.
 */
export async function holdNights(
  bookingId: string,
  propertyId: string,
  nights: Night[],
): Promise<HoldResult> {
  const sorted = [...nights].sort();
  for (;;) {
    const mine = await nightsHeldBy(bookingId);
    const missing = sorted.filter((night) => !mine.has(night));
    if (missing.length === 0) return { held: true };
    try {
      await NightHold.insertMany(
        missing.map((night) => ({
          _id: holdId(propertyId, night),
          propertyId: new mongoose.Types.ObjectId(propertyId),
          night,
          bookingId: new mongoose.Types.ObjectId(bookingId),
        })),
        { ordered: true },
      );
      return { held: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const conflicting = await nightsHeldByOthers(bookingId, propertyId, missing);
      // A duplicate that turns out to be our own (a retried insert) is not a conflict: loop.
      if (conflicting.length > 0) {
        await releaseNights(bookingId);
        return { held: false, conflictingNights: conflicting };
      }
    }
  }
}

export async function releaseNights(bookingId: string): Promise<number> {
  const result = await NightHold.deleteMany({ bookingId: new mongoose.Types.ObjectId(bookingId) });
  return result.deletedCount;
}

export async function heldNightsOfProperty(propertyId: string): Promise<Night[]> {
  const holds = await NightHold.find({ propertyId: new mongoose.Types.ObjectId(propertyId) })
    .sort({ night: 1 })
    .select({ night: 1 })
    .lean();
  return holds.map((h) => h.night);
}

async function nightsHeldBy(bookingId: string): Promise<Set<Night>> {
  const holds = await NightHold.find({ bookingId: new mongoose.Types.ObjectId(bookingId) })
    .select({ night: 1 })
    .lean();
  return new Set(holds.map((h) => h.night));
}

async function nightsHeldByOthers(
  bookingId: string,
  propertyId: string,
  nights: Night[],
): Promise<Night[]> {
  const holds = await NightHold.find({ _id: { $in: nights.map((n) => holdId(propertyId, n)) } })
    .select({ night: 1, bookingId: 1 })
    .lean();
  return holds.filter((h) => h.bookingId.toString() !== bookingId).map((h) => h.night);
}
