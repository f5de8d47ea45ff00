/**
 * The `bookings` collection. Only the saga writes a booking (through its activities); the API
 * and the ops tools only read them.
 */
import type { QueryFilter } from 'mongoose';
import type { NewBooking } from '../domain/booking.js';
import type { IgnoredDecision, TransitionRecord } from '../domain/booking-history.js';
import { LIVE_STATUSES, type BookingStatus } from '../domain/booking-status.js';
import { isDuplicateKeyError } from './connection.js';
import { updateByIdIf } from './guarded-update.js';
import { toObjectId } from './ids.js';
import { Booking, type BookingDoc } from './models.js';
import { findPage, type Page } from './pages.js';
import { releasePendingRequestSlots } from './pending-request-slots.js';

export type { BookingDoc };

/** Writes the booking PENDING with its first history entry. A retried write is a no-op. */
export async function createPendingBooking(booking: NewBooking): Promise<void> {
  try {
    await Booking.create({
      _id: toObjectId(booking.bookingId),
      propertyId: toObjectId(booking.propertyId),
      propertyName: booking.propertyName,
      ownerId: toObjectId(booking.ownerId),
      travelerId: toObjectId(booking.travelerId),
      travelerName: booking.travelerName,
      checkIn: new Date(booking.checkIn),
      checkOut: new Date(booking.checkOut),
      guests: booking.guests,
      nights: booking.price.nights,
      pricePerNight: booking.price.pricePerNight,
      cleaningFee: booking.price.cleaningFee,
      serviceFee: booking.price.serviceFee,
      totalPrice: booking.price.totalPrice,
      status: 'PENDING',
      ownerDecisionDeadline: new Date(booking.ownerDecisionDeadline),
      history: [booking.firstTransition],
    });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
}

export class TransitionConflictError extends Error {}

/**
 * Applies a transition the workflow already decided on, guarded by the expected current status
 * so a retried activity cannot apply it twice or over a newer status. A booking that leaves
 * PENDING first gives back its pending-request slots, so once the new status shows, the
 * traveler may already send another request.
 */
export async function applyTransition(
  bookingId: string,
  transition: TransitionRecord,
  releaseSlots: readonly string[] = [],
): Promise<void> {
  await releasePendingRequestSlots(bookingId, releaseSlots);
  const applied = await updateByIdIf(
    Booking,
    toObjectId(bookingId),
    {
      filter: { status: transition.from },
      holds: (booking: BookingDoc) => booking.status === transition.from,
      select: { status: 1 },
    },
    { $set: { status: transition.to }, $push: { history: transition } },
  );
  if (applied) return;
  const current = await Booking.findById(bookingId).select({ status: 1 }).lean();
  if (current?.status === transition.to) return;
  throw new TransitionConflictError(
    `booking ${bookingId} is ${current?.status ?? 'missing'}, expected ${transition.from ?? 'none'}`,
  );
}

export async function recordIgnoredDecision(
  bookingId: string,
  ignored: IgnoredDecision,
): Promise<void> {
  await updateByIdIf(
    Booking,
    toObjectId(bookingId),
    {
      filter: { 'ignoredDecisions.eventId': { $ne: ignored.eventId } },
      holds: (booking: BookingDoc) =>
        !(booking.ignoredDecisions as IgnoredDecision[]).some((d) => d.eventId === ignored.eventId),
      select: { 'ignoredDecisions.eventId': 1 },
    },
    { $push: { ignoredDecisions: ignored } },
  );
}

export function findBookingById(bookingId: string) {
  return Booking.findById(bookingId).lean<BookingDoc>();
}

export type BookingSort = 'newest' | 'oldest' | 'check_in' | 'price_desc';

const SORTS: Record<BookingSort, Record<string, 1 | -1>> = {
  newest: { createdAt: -1, _id: -1 },
  oldest: { createdAt: 1, _id: 1 },
  check_in: { checkIn: 1, _id: 1 },
  price_desc: { totalPrice: -1, _id: -1 },
};

export interface BookingListQuery {
  /** Any of these statuses. */
  statuses?: BookingStatus[];
  sort: BookingSort;
}

export function travelerBookingPage(travelerId: string, query: BookingListQuery, page: Page) {
  const filter: QueryFilter<BookingDoc> = { travelerId: toObjectId(travelerId) };
  if (query.statuses) filter.status = { $in: query.statuses };
  return findPage(Booking, filter, SORTS[query.sort], page);
}

export function ownerBookingPage(
  ownerId: string,
  query: BookingListQuery & {
    propertyId?: string;
    /** Matched, escaped, against the guest's and the property's name. */
    searchPattern?: RegExp;
  },
  page: Page,
) {
  const filter: QueryFilter<BookingDoc> = { ownerId: toObjectId(ownerId) };
  if (query.statuses) filter.status = { $in: query.statuses };
  if (query.propertyId) filter.propertyId = toObjectId(query.propertyId);
  if (query.searchPattern) {
    filter.$or = [{ travelerName: query.searchPattern }, { propertyName: query.searchPattern }];
  }
  return findPage(Booking, filter, SORTS[query.sort], page);
}

/**
 * Per status, how many of an owner's bookings there are and what they total. Two `$group`
 * stages with one `$sum` each: FerretDB 1.x returns 0 for every accumulator after the first in
 * a single `$group`.
 */
export async function ownerStatusTotals(ownerId: string) {
  const match = { $match: { ownerId: toObjectId(ownerId) } };
  const [counts, revenues] = await Promise.all([
    Booking.aggregate<{ _id: BookingStatus; n: number }>([
      match,
      { $group: { _id: '$status', n: { $sum: 1 } } },
    ]),
    Booking.aggregate<{ _id: BookingStatus; n: number }>([
      match,
      { $group: { _id: '$status', n: { $sum: '$totalPrice' } } },
    ]),
  ]);
  const of = (rows: { _id: BookingStatus; n: number }[], status: BookingStatus) =>
    rows.find((row) => row._id === status)?.n ?? 0;
  return (status: BookingStatus) => ({ count: of(counts, status), revenue: of(revenues, status) });
}

/** Whether the property has a PENDING or ACCEPTED booking. */
export async function hasLiveBooking(propertyId: string): Promise<boolean> {
  const live = { propertyId: toObjectId(propertyId), status: { $in: [...LIVE_STATUSES] } };
  return (await Booking.exists(live)) !== null;
}

/** Per listing of an owner, how many bookings match `filter` (listings with none are absent). */
async function countByProperty(filter: QueryFilter<BookingDoc>): Promise<Map<string, number>> {
  const rows = await Booking.aggregate<{ _id: unknown; n: number }>([
    { $match: filter },
    { $group: { _id: '$propertyId', n: { $sum: 1 } } },
  ]);
  return new Map(rows.map((row) => [String(row._id), row.n]));
}

/**
 * Per listing of an owner: requests still waiting for a decision, and accepted stays not over
 * yet (checking out after `now`).
 */
export async function liveBookingCountsOfOwner(ownerId: string, now: Date) {
  const owner = toObjectId(ownerId);
  const [pending, upcoming] = await Promise.all([
    countByProperty({ ownerId: owner, status: 'PENDING' }),
    countByProperty({ ownerId: owner, status: 'ACCEPTED', checkOut: { $gt: now } }),
  ]);
  return { pending, upcoming };
}

/** An owner's accepted and completed stays checking in from `from` up to `until` (excluded). */
export function confirmedStaysOfOwner(ownerId: string, from: Date, until: Date) {
  return Booking.find({
    ownerId: toObjectId(ownerId),
    status: { $in: ['ACCEPTED', 'COMPLETED'] },
    checkIn: { $gte: from, $lt: until },
  })
    .select({ checkIn: 1, totalPrice: 1 })
    .lean<Pick<BookingDoc, 'checkIn' | 'totalPrice'>[]>();
}
