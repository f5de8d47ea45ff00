/**
 * Stay arithmetic: which nights a stay occupies and what it costs. Dates are calendar days in
 * UTC; a stay from checkIn to checkOut occupies the nights checkIn .. checkOut-1.
 */
const DAY_MS = 24 * 60 * 60 * 1000;

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

export function countNights({ checkIn, checkOut }: StayDates): number {
  return Math.round((checkOut.getTime() - checkIn.getTime()) / DAY_MS);
}

function roundCents(amount: number): number {
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
  | 'stay-too-long';

/** Why a requested stay cannot be booked, or null when it can. `today` is the current instant. */
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
