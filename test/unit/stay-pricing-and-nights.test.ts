import { describe, expect, it } from 'vitest';
import {
  bookingRequestProblem,
  countNights,
  earliestCheckIn,
  latestCheckIn,
  nightsBetween,
  priceStay,
  stayProblem,
} from '../../domain/stay.js';

const d = (s: string) => new Date(`${s}T00:00:00.000Z`);

describe('a stay', () => {
  it('occupies the nights from check-in up to the night before check-out', () => {
    expect(nightsBetween({ checkIn: d('2030-12-30'), checkOut: d('2031-01-02') })).toEqual([
      '2030-12-30',
      '2030-12-31',
      '2031-01-01',
    ]);
  });

  it('is priced server-side as nights x nightly price + fees, in cents', () => {
    const price = priceStay(
      { pricePerNight: 99.99, cleaningFee: 25, serviceFee: 10.5 },
      { checkIn: d('2030-05-01'), checkOut: d('2030-05-04') },
    );
    expect(price).toEqual({
      nights: 3,
      pricePerNight: 99.99,
      subtotal: 299.97,
      cleaningFee: 25,
      serviceFee: 10.5,
      totalPrice: 335.47,
    });
  });

  it('refuses reversed, empty, past, non-midnight and overlong stays', () => {
    const now = new Date('2030-01-10T12:00:00Z');
    const problem = (a: Date, b: Date) => stayProblem({ checkIn: a, checkOut: b }, now);
    expect(problem(d('2030-02-02'), d('2030-02-01'))).toBe('check-out-not-after-check-in');
    expect(problem(d('2030-02-02'), d('2030-02-02'))).toBe('check-out-not-after-check-in');
    expect(problem(d('2030-01-09'), d('2030-01-12'))).toBe('check-in-in-the-past');
    expect(problem(new Date('2030-02-01T10:00:00Z'), d('2030-02-03'))).toBe(
      'check-in-not-midnight-utc',
    );
    expect(problem(d('2030-02-01'), d('2030-06-01'))).toBe('stay-too-long');
    expect(problem(d('2030-01-10'), d('2030-01-11'))).toBeNull();
    expect(countNights({ checkIn: d('2030-01-10'), checkOut: d('2030-01-11') })).toBe(1);
  });
});

describe('the booking policy on dates', () => {
  const policy = { minNoticeMs: 2 * 3_600_000, horizonMs: 730 * 86_400_000 };
  const day = d;

  it('wants 2 h of notice: the earliest check-in is the first midnight after now + 2 h', () => {
    expect(earliestCheckIn(new Date('2026-12-01T12:00:00Z'), policy.minNoticeMs)).toEqual(
      day('2026-12-02'),
    );
    expect(earliestCheckIn(new Date('2026-12-01T22:00:00Z'), policy.minNoticeMs)).toEqual(
      day('2026-12-02'),
    );
    expect(earliestCheckIn(new Date('2026-12-01T22:00:01Z'), policy.minNoticeMs)).toEqual(
      day('2026-12-03'),
    );
  });

  it('refuses a stay today or tonight, and one past the horizon', () => {
    const now = new Date('2026-12-01T23:30:00Z');
    const stay = (checkIn: string, checkOut: string) =>
      bookingRequestProblem({ checkIn: day(checkIn), checkOut: day(checkOut) }, now, policy);
    expect(stay('2026-12-01', '2026-12-03')).toBe('check-in-too-soon');
    expect(stay('2026-12-02', '2026-12-03')).toBe('check-in-too-soon');
    expect(stay('2026-12-03', '2026-12-04')).toBeNull();
    // 730 days, and 2028 has a 29 February.
    expect(latestCheckIn(now, policy.horizonMs)).toEqual(day('2028-11-30'));
    expect(stay('2028-11-30', '2028-12-03')).toBeNull();
    expect(stay('2028-12-01', '2028-12-03')).toBe('check-in-too-far');
    expect(stay('9999-01-01', '9999-01-02')).toBe('check-in-too-far');
    // The shape rules still come first.
    expect(stay('2026-11-30', '2026-12-03')).toBe('check-in-in-the-past');
  });
});
