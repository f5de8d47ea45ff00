/**
 * What a traveler sees before asking: the price of a stay, worked out by the very function that
 * prices the booking (domain/stay.ts `priceStay`), whether its nights are free, and a calendar
 * of free and taken days for a date picker.
 */
import { heldNightsAmong, heldNightsBetween } from '../db/night-ledger.js';
import {
  calendarDays,
  earliestCheckIn,
  latestCheckIn,
  nightOf,
  nightsBetween,
  priceStay,
  type BookingPolicy,
} from '../domain/stay.js';
import { findBookableProperty, type StayRequest } from './bookable-stay.js';
import { findProperty } from './properties.js';

/**
 * The price breakdown of a stay that could be requested now, or the error its request would
 * get. Taken nights are not an error here: the quote says which, so the picker can show them.
 */
export async function quoteStay(policy: BookingPolicy, currency: string, request: StayRequest) {
  const property = await findBookableProperty(policy, request, new Date());
  const dates = { checkIn: request.checkIn, checkOut: request.checkOut };
  const takenNights = await heldNightsAmong(request.propertyId, nightsBetween(dates));
  return {
    propertyId: request.propertyId,
    checkIn: nightOf(request.checkIn),
    checkOut: nightOf(request.checkOut),
    guests: request.guests,
    currency,
    ...priceStay(property, dates),
    nightsFree: takenNights.length === 0,
    conflictingNights: takenNights,
  };
}

/** Each day from `from` to `to` (both included) as free or taken, and the days one may book. */
export async function propertyCalendar(
  policy: BookingPolicy,
  propertyId: string,
  range: { from: Date; to: Date },
) {
  const { available } = await findProperty(propertyId);
  const first = nightOf(range.from);
  const last = nightOf(range.to);
  const taken = new Set(await heldNightsBetween(propertyId, first, last));
  const now = new Date();
  return {
    propertyId,
    from: first,
    to: last,
    available,
    // The first and last check-in a request may have today (the booking policy).
    firstCheckIn: nightOf(earliestCheckIn(now, policy.minNoticeMs)),
    lastCheckIn: nightOf(latestCheckIn(now, policy.horizonMs)),
    days: calendarDays(range.from, range.to).map((date) => ({
      date,
      status: taken.has(date) ? ('taken' as const) : ('free' as const),
    })),
  };
}
