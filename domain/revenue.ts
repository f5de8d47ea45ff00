/** An owner's revenue by calendar month (UTC), as a dashboard charts it. */
import { roundCents } from './stay.js';

/** A calendar month, `YYYY-MM`. */
export type Month = string;

export interface MonthRevenue {
  month: Month;
  /** Accepted and completed stays checking in that month. */
  bookings: number;
  revenue: number;
}

export const monthOf = (date: Date): Month => date.toISOString().slice(0, 7);

/** The first instant of the month `offset` months from the month of `date` (UTC). */
export function startOfMonthUtc(date: Date, offset = 0): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + offset, 1));
}

/** The `count` months ending with the month of `now`, oldest first. */
export function monthsEndingAt(now: Date, count: number): Month[] {
  return Array.from({ length: count }, (_, i) => monthOf(startOfMonthUtc(now, i - count + 1)));
}

/** Stays summed into their check-in month; every month of `months` is there, if only with 0. */
export function revenueByMonth(
  months: Month[],
  stays: { checkIn: Date; totalPrice: number }[],
): MonthRevenue[] {
  const totals = new Map(months.map((month) => [month, { month, bookings: 0, revenue: 0 }]));
  for (const stay of stays) {
    const total = totals.get(monthOf(stay.checkIn));
    if (!total) continue;
    total.bookings += 1;
    total.revenue += stay.totalPrice;
  }
  return [...totals.values()].map((t) => ({ ...t, revenue: roundCents(t.revenue) }));
}
