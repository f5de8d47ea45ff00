/**
 * Reading bookings: a traveler's own, an owner's incoming (filters, search, sort, pages) and an
 * owner's stats. Only the workflow writes bookings; these only read.
 */
import {
  confirmedStaysOfOwner,
  ownerBookingPage,
  ownerStatusTotals,
  travelerBookingPage,
  type BookingSort,
} from '../db/bookings.js';
import type { Page } from '../db/pages.js';
import { BOOKING_STATUSES, type BookingStatus } from '../domain/booking-status.js';
import { monthsEndingAt, revenueByMonth, startOfMonthUtc } from '../domain/revenue.js';
import { roundCents } from '../domain/stay.js';
import type { AuthUser } from './accounts.js';
import { bookingView } from './booking-views.js';

export type { BookingSort, Page };

const asPage = (
  found: { items: Parameters<typeof bookingView>[0][]; total: number },
  page: Page,
) => ({
  bookings: found.items.map(bookingView),
  page: page.page,
  limit: page.limit,
  total: found.total,
});

export async function listTravelerBookings(
  traveler: AuthUser,
  query: Page & { statuses?: BookingStatus[]; sort: BookingSort },
) {
  return asPage(await travelerBookingPage(traveler.id, query, query), query);
}

export async function listOwnerBookings(
  owner: AuthUser,
  query: Page & {
    statuses?: BookingStatus[];
    propertyId?: string;
    /** Matched, escaped, against the guest's and the property's name. */
    searchPattern?: RegExp;
    sort: BookingSort;
  },
) {
  return asPage(await ownerBookingPage(owner.id, query, query), query);
}

/** Counts and revenue of one owner's bookings by status. */
export async function ownerBookingStats(owner: AuthUser) {
  const totalsOf = await ownerStatusTotals(owner.id);
  const byStatus = Object.fromEntries(
    BOOKING_STATUSES.map((status) => {
      const { count, revenue } = totalsOf(status);
      return [status, { count, revenue: roundCents(revenue) }];
    }),
  ) as Record<BookingStatus, { count: number; revenue: number }>;
  const total = BOOKING_STATUSES.reduce((sum, s) => sum + byStatus[s].count, 0);
  // Money the owner keeps: accepted stays (upcoming) and completed ones.
  const confirmedRevenue = roundCents(byStatus.ACCEPTED.revenue + byStatus.COMPLETED.revenue);
  return { byStatus, total, confirmedRevenue };
}

/** Months a revenue chart covers: this one and the eleven before it. */
const REVENUE_MONTHS = 12;

/** An owner's accepted and completed stays by check-in month, over the last twelve months. */
export async function ownerMonthlyRevenue(owner: AuthUser, now = new Date()) {
  const months = monthsEndingAt(now, REVENUE_MONTHS);
  const stays = await confirmedStaysOfOwner(
    owner.id,
    startOfMonthUtc(now, 1 - REVENUE_MONTHS),
    startOfMonthUtc(now, 1),
  );
  return { months: revenueByMonth(months, stays) };
}
