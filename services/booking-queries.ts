/**
 * Reading bookings: a traveler's own, an owner's incoming (filters, search, sort, pages) and an
 * owner's stats. Only the workflow writes bookings; these only read.
 */
import mongoose, { type QueryFilter } from 'mongoose';
import { BOOKING_STATUSES, type BookingStatus } from '../domain/booking-status.js';
import { Booking, type BookingDoc } from '../db/models.js';
import type { AuthUser } from './accounts.js';
import { bookingView } from './booking-views.js';

export interface Page {
  page: number;
  limit: number;
}

export type BookingSort = 'newest' | 'oldest' | 'check_in' | 'price_desc';

const SORTS: Record<BookingSort, Record<string, 1 | -1>> = {
  newest: { createdAt: -1, _id: -1 },
  oldest: { createdAt: 1, _id: 1 },
  check_in: { checkIn: 1, _id: 1 },
  price_desc: { totalPrice: -1, _id: -1 },
};

async function pageOf(filter: QueryFilter<BookingDoc>, sort: BookingSort, { page, limit }: Page) {
  const [bookings, total] = await Promise.all([
    Booking.find(filter)
      .sort(SORTS[sort])
      .skip((page - 1) * limit)
      .limit(limit)
      .lean(),
    Booking.countDocuments(filter),
  ]);
  return { bookings: bookings.map(bookingView), page, limit, total };
}

const oid = (id: string) => new mongoose.Types.ObjectId(id);

export function listTravelerBookings(
  traveler: AuthUser,
  query: Page & { status?: BookingStatus; sort: BookingSort },
) {
  const filter: QueryFilter<BookingDoc> = { travelerId: oid(traveler.id) };
  if (query.status) filter.status = query.status;
  return pageOf(filter, query.sort, query);
}

export function listOwnerBookings(
  owner: AuthUser,
  query: Page & {
    status?: BookingStatus;
    propertyId?: string;
    /** Matched, escaped, against the guest's and the property's name. */
    searchPattern?: RegExp;
    sort: BookingSort;
  },
) {
  const filter: QueryFilter<BookingDoc> = { ownerId: oid(owner.id) };
  if (query.status) filter.status = query.status;
  if (query.propertyId) filter.propertyId = oid(query.propertyId);
  if (query.searchPattern) {
    filter.$or = [{ travelerName: query.searchPattern }, { propertyName: query.searchPattern }];
  }
  return pageOf(filter, query.sort, query);
}

/**
 * Counts and revenue by status for one owner. Two `$group` stages with one `$sum` each: FerretDB
 * 1.x returns 0 for every accumulator after the first in a single `$group`.
 */
export async function ownerBookingStats(owner: AuthUser) {
  const match = { $match: { ownerId: oid(owner.id) } };
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
  const byStatus = Object.fromEntries(
    BOOKING_STATUSES.map((status) => [
      status,
      {
        count: counts.find((c) => c._id === status)?.n ?? 0,
        revenue: roundCents(revenues.find((r) => r._id === status)?.n ?? 0),
      },
    ]),
  ) as Record<BookingStatus, { count: number; revenue: number }>;
  const total = BOOKING_STATUSES.reduce((sum, s) => sum + byStatus[s].count, 0);
  // Money the owner keeps: accepted stays (upcoming) and completed ones.
  const confirmedRevenue = roundCents(byStatus.ACCEPTED.revenue + byStatus.COMPLETED.revenue);
  return { byStatus, total, confirmedRevenue };
}

function roundCents(amount: number): number {
  return Math.round(amount * 100) / 100;
}
