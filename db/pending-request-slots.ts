/**
 * The caps on a traveler's live PENDING requests, enforced by the database rather than by a
 * count-then-insert (which racing requests would all pass). A traveler has `maxPerTraveler`
 * numbered slots overall and `maxPerProperty` per listing; a request takes one of each before
 * its saga starts and the booking gives them back when it leaves PENDING.
 */
import mongoose from 'mongoose';
import { isDuplicateKeyError } from './connection.js';
import { deleteByIdIf } from './guarded-update.js';
import { Booking, PendingRequestSlot, type PendingRequestSlotDoc } from './models.js';

export type PendingScope = 'traveler' | 'property';

export interface PendingLimits {
  maxPerTraveler: number;
  maxPerProperty: number;
}

export type SlotClaim =
  { claimed: true; slots: string[] } | { claimed: false; scope: PendingScope; limit: number };

/**
 * A slot whose booking never got recorded (the request died between claiming and starting the
 * saga) is reclaimed after this long; a recorded booking frees its slots as it leaves PENDING.
 */
const UNRECORDED_SLOT_GRACE_MS = 5 * 60 * 1000;

/**
 * The slot ids of a scope, starting at a random one: with a high limit (a load test's), a
 * traveler with many pending requests finds a free slot in a try or two instead of walking
 * every taken one from the first.
 */
function slotIds(prefix: string, count: number): string[] {
  const start = Math.floor(Math.random() * count);
  return Array.from({ length: count }, (_, n) => `${prefix}:${(start + n) % count}`);
}

/** Takes one traveler-wide and one per-listing slot for `bookingId`, or neither. */
export async function claimPendingRequestSlots(
  request: { travelerId: string; propertyId: string; bookingId: string },
  limits: PendingLimits,
  now = new Date(),
): Promise<SlotClaim> {
  const bookingId = new mongoose.Types.ObjectId(request.bookingId);
  const scopes: [PendingScope, string[]][] = [
    ['traveler', slotIds(`t:${request.travelerId}`, limits.maxPerTraveler)],
    ['property', slotIds(`p:${request.travelerId}:${request.propertyId}`, limits.maxPerProperty)],
  ];
  const taken: string[] = [];
  for (const [scope, ids] of scopes) {
    const slot = await claimOneOf(ids, bookingId, now);
    if (!slot) {
      await releasePendingRequestSlots(request.bookingId, taken);
      return { claimed: false, scope, limit: ids.length };
    }
    taken.push(slot);
  }
  return { claimed: true, slots: taken };
}

/** Gives back the slots a booking took; a slot taken meanwhile by another booking is kept. */
export async function releasePendingRequestSlots(bookingId: string, slots: readonly string[]) {
  const owner = new mongoose.Types.ObjectId(bookingId);
  for (const slot of slots) {
    await deleteByIdIf(PendingRequestSlot, slot, {
      filter: { bookingId: owner },
      holds: (doc: PendingRequestSlotDoc) => doc.bookingId.equals(owner),
      select: { bookingId: 1 },
    });
  }
}

async function claimOneOf(ids: string[], bookingId: mongoose.Types.ObjectId, now: Date) {
  for (let attempt = 0; attempt < 2; attempt++) {
    for (const _id of ids) {
      try {
        await PendingRequestSlot.create({ _id, bookingId, claimedAt: now });
        return _id;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    // Every slot is taken: free the ones whose booking is no longer pending, then try again.
    if (!(await freeStaleSlots(ids, now))) return null;
  }
  return null;
}

/** Deletes the slots of `ids` that no PENDING booking holds; true if any was freed. */
async function freeStaleSlots(ids: string[], now: Date): Promise<boolean> {
  let freed = false;
  for (const _id of ids) {
    const slot = await PendingRequestSlot.findById(_id).lean();
    if (!slot || !(await isStale(slot, now))) continue;
    const holder = slot.bookingId;
    freed =
      (await deleteByIdIf(PendingRequestSlot, _id, {
        filter: { bookingId: holder },
        holds: (doc: PendingRequestSlotDoc) => doc.bookingId.equals(holder),
        select: { bookingId: 1 },
      })) || freed;
  }
  return freed;
}

async function isStale(slot: PendingRequestSlotDoc, now: Date): Promise<boolean> {
  const booking = await Booking.findById(slot.bookingId).select({ status: 1 }).lean();
  if (booking) return booking.status !== 'PENDING';
  return now.getTime() - slot.claimedAt.getTime() > UNRECORDED_SLOT_GRACE_MS;
}
