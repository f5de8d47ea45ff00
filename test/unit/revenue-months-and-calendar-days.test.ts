import { describe, expect, it } from 'vitest';
import { monthsEndingAt, revenueByMonth, startOfMonthUtc } from '../../domain/revenue.js';
import { calendarDays } from '../../domain/stay.js';

const day = (text: string) => new Date(`${text}T00:00:00.000Z`);

describe('revenue by month', () => {
  it('covers the twelve months ending with this one, across a year boundary', () => {
    const months = monthsEndingAt(new Date('2027-02-15T10:00:00Z'), 12);
    expect(months).toHaveLength(12);
    expect(months[0]).toBe('2026-03');
    expect(months.slice(-3)).toEqual(['2026-12', '2027-01', '2027-02']);
  });

  it('sums stays into their check-in month, every month present, cents rounded', () => {
    const months = ['2026-11', '2026-12'];
    const chart = revenueByMonth(months, [
      { checkIn: day('2026-12-31'), totalPrice: 0.1 },
      { checkIn: day('2026-12-01'), totalPrice: 0.2 },
      { checkIn: day('2027-01-01'), totalPrice: 999 },
    ]);
    expect(chart).toEqual([
      { month: '2026-11', bookings: 0, revenue: 0 },
      { month: '2026-12', bookings: 2, revenue: 0.3 },
    ]);
  });

  it('starts months at UTC midnight, offsets included', () => {
    expect(startOfMonthUtc(new Date('2026-01-31T23:59:00Z'), -1).toISOString()).toBe(
      '2025-12-01T00:00:00.000Z',
    );
    expect(startOfMonthUtc(new Date('2026-12-05T00:00:00Z'), 1).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });
});

describe('calendar days', () => {
  it('lists every day from the first to the last, both included, leap day too', () => {
    expect(calendarDays(day('2028-02-28'), day('2028-03-01'))).toEqual([
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
    expect(calendarDays(day('2027-05-05'), day('2027-05-05'))).toEqual(['2027-05-05']);
  });
});
