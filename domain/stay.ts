/**
 * Stay arithmetic: which nights a stay occupies and what it costs. Dates are calendar days in
 * UTC; a stay from checkIn to checkOut occupies the nights checkIn .. checkOut-1.
 */
export const DAY_MS = 24 * 60 * 60 * 1000;

/** A calendar day, `YYYY-MM-DD`. */
export type Night = string;

export interface StayDates {
  checkIn: Date;
  checkOut: Date;
}

export interface NightlyRates {
  pricePerNight: number;
  cleaningFee: number;
  serviceFee: number;
}

export interface StayPrice {
  nights: number;
  pricePerNight: number;
  subtotal: number;
  cleaningFee: number;
  serviceFee: number;
  totalPrice: number;
}

/** Whether every night of a stay was held for a booking, or which of them were taken already. */
export type NightsHold = { held: true } | { held: false; conflictingNights: Night[] };

/** Longest stay one booking may hold; keeps a booking's night ledger bounded. */
export const MAX_STAY_NIGHTS = 90;

export function isMidnightUtc(date: Date): boolean {
  return date.getTime() % DAY_MS === 0;
}

export function nightOf(date: Date): Night {
  return date.toISOString().slice(0, 10);
}

export function nightsBetween({ checkIn, checkOut }: StayDates): Night[] {
  const nights: Night[] = [];
  for (let t = checkIn.getTime(); t < checkOut.getTime(); t += DAY_MS) {
    nights.push(nightOf(new Date(t)));
  }
  return nights;
}

/** Every day from `first` to `last`, both included (a calendar's days). */
export function calendarDays(first: Date, last: Date): Night[] {
  return nightsBetween({ checkIn: first, checkOut: new Date(last.getTime() + DAY_MS) });
}

/** Longest range one calendar answer covers: a year, leap day included. */
export const MAX_CALENDAR_DAYS = 366;

export function countNights({ checkIn, checkOut }: StayDates): number {
  return Math.round((checkOut.getTime() - checkIn.getTime()) / DAY_MS);
}

export function roundCents(amount: number): number {
  return Math.round(amount * 100) / 100;
}

/** The server-side price of a stay; a client-supplied price is never used. */
export function priceStay(rates: NightlyRates, dates: StayDates): StayPrice {
  const nights = countNights(dates);
  const subtotal = roundCents(rates.pricePerNight * nights);
  return {
    nights,
    pricePerNight: rates.pricePerNight,
    subtotal,
    cleaningFee: rates.cleaningFee,
    serviceFee: rates.serviceFee,
    totalPrice: roundCents(subtotal + rates.cleaningFee + rates.serviceFee),
  };
}

export type StayProblem =
  | 'check-in-not-midnight-utc'
  | 'check-out-not-after-check-in'
  | 'check-in-in-the-past'
  | 'stay-too-long'
  | 'check-in-too-soon'
  | 'check-in-too-far';

/**
 * What a booking request must respect besides the shape of its dates. Notice: the owner's
 * deadline is never later than check-in, so a stay that starts in minutes would expire before
 * anyone could decide. Horizon: a stay a century ahead would hold nights (and a saga timer)
 * for nothing. Pending caps: one traveler must not be able to hold a listing's calendar with
 * requests that are never meant to be stayed.
 */
export interface BookingPolicy {
  minNoticeMs: number;
  horizonMs: number;
  maxPendingPerTraveler: number;
  maxPendingPerProperty: number;
}

export const DEFAULT_BOOKING_POLICY: BookingPolicy = {
  minNoticeMs: 2 * 60 * 60 * 1000,
  horizonMs: 730 * DAY_MS,
  maxPendingPerTraveler: 5,
  maxPendingPerProperty: 2,
};

/** Why these dates are not a stay at all (also used to bound searches), or null. */
export function stayProblem(dates: StayDates, now: Date): StayProblem | null {
  if (!isMidnightUtc(dates.checkIn) || !isMidnightUtc(dates.checkOut)) {
    return 'check-in-not-midnight-utc';
  }
  if (dates.checkOut.getTime() <= dates.checkIn.getTime()) return 'check-out-not-after-check-in';
  if (dates.checkIn.getTime() < startOfDayUtc(now).getTime()) return 'check-in-in-the-past';
  if (countNights(dates) > MAX_STAY_NIGHTS) return 'stay-too-long';
  return null;
}

export function startOfDayUtc(date: Date): Date {
  return new Date(date.getTime() - (date.getTime() % DAY_MS));
}

/** What each stay problem means, in words a traveler understands. */
export const STAY_PROBLEM_MESSAGES: Record<StayProblem, string> = {
  'check-in-not-midnight-utc': 'checkIn and checkOut must be dates (YYYY-MM-DD or UTC midnight)',
  'check-out-not-after-check-in': 'checkOut must be after checkIn',
  'check-in-in-the-past': 'checkIn must not be in the past',
  'stay-too-long': `A stay may be at most ${MAX_STAY_NIGHTS} nights`,
  'check-in-too-soon': 'This stay starts too soon for the owner to decide on it in time',
  'check-in-too-far': 'This stay starts further ahead than bookings are taken',
};

/** The first check-in (a UTC midnight) that leaves the owner `minNoticeMs` to decide. */
export function earliestCheckIn(now: Date, minNoticeMs: number): Date {
  const soonest = now.getTime() + minNoticeMs;
  const midnight = startOfDayUtc(new Date(soonest));
  return midnight.getTime() < soonest ? new Date(midnight.getTime() + DAY_MS) : midnight;
}

/** The last check-in (a UTC midnight) within the booking horizon. */
export function latestCheckIn(now: Date, horizonMs: number): Date {
  return startOfDayUtc(new Date(now.getTime() + horizonMs));
}

/** Why a booking request for these dates is refused under `policy`, or null when it may go on. */
export function bookingRequestProblem(
  dates: StayDates,
  now: Date,
  policy: Pick<BookingPolicy, 'minNoticeMs' | 'horizonMs'>,
): StayProblem | null {
  const problem = stayProblem(dates, now);
  if (problem) return problem;
  const checkIn = dates.checkIn.getTime();
  if (checkIn < earliestCheckIn(now, policy.minNoticeMs).getTime()) return 'check-in-too-soon';
  if (checkIn > latestCheckIn(now, policy.horizonMs).getTime()) return 'check-in-too-far';
  return null;
}
