import { toObjectId } from './ids.js';
import type { Night, NightsHold } from '../domain/stay.js';
import { isDuplicateKeyError } from './connection.js';
import { deleteByIdIf, type UpdateGuard } from './guarded-update.js';
import { NightHold, type NightHoldDoc } from './models.js';

/** Where a stay's nights are held: one ledger document per night, keyed by property and night. */
export interface HeldStay {
  propertyId: string;
  nights: Night[];
}

const holdId = (propertyId: string, night: Night) => `${propertyId}:${night}`;

/**
 * Holds every night of a stay for one booking, or none of them. Safe to retry: nights this
 * booking already holds count as held. Nights are inserted in calendar order, so when requests
 * race for the same nights the first to take the earliest shared night wins and the others
 * stop before holding any shared night.
 *
 * The insert comes first and the ledger is read only when it hits a held night, by `_id`: the
 * common case is one write, and no read here ever scans (FerretDB serves only `_id` filters from
 * an index).
 */
export async function holdNights(bookingId: string, stay: HeldStay): Promise<NightsHold> {
  let missing = [...stay.nights].sort();
  for (;;) {
    try {
      await NightHold.insertMany(
        missing.map((night) => ({
          _id: holdId(stay.propertyId, night),
          propertyId: toObjectId(stay.propertyId),
          night,
          bookingId: toObjectId(bookingId),
        })),
        { ordered: true },
      );
      return { held: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const holders = await holdersOf(stay.propertyId, missing);
    const conflicting = missing.filter((n) => (holders.get(n) ?? bookingId) !== bookingId);
    if (conflicting.length > 0) {
      await releaseNights(bookingId, stay);
      return { held: false, conflictingNights: conflicting };
    }
    // Every held night is our own (a retried hold): insert the ones still free.
    missing = missing.filter((n) => !holders.has(n));
    if (missing.length === 0) return { held: true };
  }
}

/**
 * Gives back the nights a booking holds. With the stay known, each night is deleted by `_id`
 * (only if this booking holds it); without it (a saga started before the stay was passed),
 * every hold of the booking is found by `bookingId`.
 */
export async function releaseNights(bookingId: string, stay?: HeldStay): Promise<number> {
  if (!stay) {
    return (await NightHold.deleteMany({ bookingId: toObjectId(bookingId) })).deletedCount;
  }
  const mine: UpdateGuard<NightHoldDoc> = {
    filter: { bookingId: toObjectId(bookingId) },
    holds: (hold) => hold.bookingId.toString() === bookingId,
    select: { bookingId: 1 },
  };
  const deleted = await Promise.all(
    stay.nights.map((night) => deleteByIdIf(NightHold, holdId(stay.propertyId, night), mine)),
  );
  return deleted.filter(Boolean).length;
}

export async function heldNightsOfProperty(propertyId: string): Promise<Night[]> {
  const holds = await NightHold.find({ propertyId: toObjectId(propertyId) })
    .sort({ night: 1 })
    .select({ night: 1 })
    .lean();
  return holds.map((h) => h.night);
}

/** The properties with at least one of these nights held (for a search by free dates). */
export async function propertiesHoldingAnyOf(nights: Night[]): Promise<string[]> {
  const ids = await NightHold.distinct('propertyId', { night: { $in: nights } });
  return ids.map((id) => String(id));
}

/** Whether any night of the property from `night` on is held (a saga may not have recorded yet). */
export async function hasHeldNightFrom(propertyId: string, night: Night): Promise<boolean> {
  return (
    (await NightHold.exists({ propertyId: toObjectId(propertyId), night: { $gte: night } })) !==
    null
  );
}

/** Who holds each of these nights (nights nobody holds are absent), read by `_id`. */
async function holdersOf(propertyId: string, nights: Night[]): Promise<Map<Night, string>> {
  const holds = await Promise.all(
    nights.map((night) =>
      NightHold.findById(holdId(propertyId, night)).select({ bookingId: 1 }).lean(),
    ),
  );
  const holders = new Map<Night, string>();
  nights.forEach((night, i) => {
    const hold = holds[i];
    if (hold) holders.set(night, hold.bookingId.toString());
  });
  return holders;
}

/** Which of these nights of the property are held (by anyone), read by `_id`. */
export async function heldNightsAmong(propertyId: string, nights: Night[]): Promise<Night[]> {
  const holds = await NightHold.find({ _id: { $in: nights.map((n) => holdId(propertyId, n)) } })
    .select({ night: 1 })
    .lean();
  return holds.map((h) => h.night).sort();
}

/** The held nights of the property from `first` to `last` (both included), in order. */
export async function heldNightsBetween(
  propertyId: string,
  first: Night,
  last: Night,
): Promise<Night[]> {
  const holds = await NightHold.find({
    propertyId: toObjectId(propertyId),
    night: { $gte: first, $lte: last },
  })
    .sort({ night: 1 })
    .select({ night: 1 })
    .lean();
  return holds.map((h) => h.night);
}
