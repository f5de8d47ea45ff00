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

/** One cap: its slots are `${prefix}:0` .. `${prefix}:${count - 1}`. */
interface SlotScope {
  name: PendingScope;
  prefix: string;
  count: number;
}

/**
 * The slot ids of a scope, from a random one on and round, made as they are tried: with a high
 * limit (a load test's) a traveler with many pending requests finds a free slot in a try or
 * two, and no request builds the whole list.
 */
function* slotIds({ prefix, count }: SlotScope): Generator<string> {
  const start = Math.floor(Math.random() * count);
  for (let n = 0; n < count; n++) yield `${prefix}:${(start + n) % count}`;
}

/** The guard of a write to a slot: only while `holder` holds it. */
const heldBy = (holder: mongoose.Types.ObjectId) => ({
  filter: { bookingId: holder },
  holds: (doc: PendingRequestSlotDoc) => doc.bookingId.equals(holder),
  select: { bookingId: 1 } as Record<string, 1>,
});

/** Takes one traveler-wide and one per-listing slot for `bookingId`, or neither. */
export async function claimPendingRequestSlots(
  request: { travelerId: string; propertyId: string; bookingId: string },
  limits: PendingLimits,
  now = new Date(),
): Promise<SlotClaim> {
  const bookingId = new mongoose.Types.ObjectId(request.bookingId);
  const scopes: SlotScope[] = [
    { name: 'traveler', prefix: `t:${request.travelerId}`, count: limits.maxPerTraveler },
    {
      name: 'property',
      prefix: `p:${request.travelerId}:${request.propertyId}`,
      count: limits.maxPerProperty,
    },
  ];
  const taken: string[] = [];
  for (const scope of scopes) {
    const slot = await claimOneOf(scope, bookingId, now);
    if (!slot) {
      await releasePendingRequestSlots(request.bookingId, taken);
      return { claimed: false, scope: scope.name, limit: scope.count };
    }
    taken.push(slot);
  }
  return { claimed: true, slots: taken };
}

/** Gives back the slots a booking took; a slot taken meanwhile by another booking is kept. */
export async function releasePendingRequestSlots(bookingId: string, slots: readonly string[]) {
  const guard = heldBy(new mongoose.Types.ObjectId(bookingId));
  for (const slot of slots) await deleteByIdIf(PendingRequestSlot, slot, guard);
}

async function claimOneOf(scope: SlotScope, bookingId: mongoose.Types.ObjectId, now: Date) {
  for (let attempt = 0; attempt < 2; attempt++) {
    for (const _id of slotIds(scope)) {
      try {
        await PendingRequestSlot.create({ _id, bookingId, claimedAt: now });
        return _id;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    // Every slot is taken: free the ones whose booking is no longer pending, then try again.
    if (!(await freeStaleSlots(scope, now))) return null;
  }
  return null;
}

/** Deletes the slots of the scope that no PENDING booking holds; true if any was freed. */
async function freeStaleSlots(scope: SlotScope, now: Date): Promise<boolean> {
  let freed = false;
  for (const _id of slotIds(scope)) {
    const slot = await PendingRequestSlot.findById(_id).lean();
    if (!slot || !(await isStale(slot, now))) continue;
    freed = (await deleteByIdIf(PendingRequestSlot, _id, heldBy(slot.bookingId))) || freed;
  }
  return freed;
}

async function isStale(slot: PendingRequestSlotDoc, now: Date): Promise<boolean> {
  const booking = await Booking.findById(slot.bookingId).select({ status: 1 }).lean();
  if (booking) return booking.status !== 'PENDING';
  return now.getTime() - slot.claimedAt.getTime() > UNRECORDED_SLOT_GRACE_MS;
}
