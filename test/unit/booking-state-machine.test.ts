import { describe, expect, it } from 'vitest';
import { decisionPermitted } from '../../domain/booking-history.js';
import {
  BOOKING_STATUSES,
  canTransition,
  isFinal,
  releasesNights,
} from '../../domain/booking-status.js';
import { parseDuration } from '../../domain/duration.js';
import { ownerDecisionDeadline } from '../../domain/owner-deadline.js';

describe('the booking state machine', () => {
  it('allows exactly the transitions of the mission', () => {
    const allowed = BOOKING_STATUSES.flatMap((from) =>
      BOOKING_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'ACCEPTED->CANCELLED',
        'ACCEPTED->COMPLETED',
        'PENDING->ACCEPTED',
        'PENDING->CANCELLED',
        'PENDING->EXPIRED',
        'PENDING->REJECTED',
      ].sort(),
    );
    expect(BOOKING_STATUSES.filter(isFinal)).toEqual([
      'REJECTED',
      'EXPIRED',
      'CANCELLED',
      'COMPLETED',
    ]);
  });

  it('gives the nights back on every final status, never while the booking is live', () => {
    expect(BOOKING_STATUSES.filter(releasesNights)).toEqual([
      'REJECTED',
      'EXPIRED',
      'CANCELLED',
      'COMPLETED',
    ]);
  });

  it('lets owners decide on their own bookings and travelers only cancel theirs', () => {
    const parties = { ownerId: 'o1', travelerId: 't1' };
    expect(decisionPermitted({ role: 'owner', userId: 'o1' }, 'ACCEPTED', parties)).toBe(true);
    expect(decisionPermitted({ role: 'owner', userId: 'o2' }, 'ACCEPTED', parties)).toBe(false);
    expect(decisionPermitted({ role: 'traveler', userId: 't1' }, 'CANCELLED', parties)).toBe(true);
    expect(decisionPermitted({ role: 'traveler', userId: 't1' }, 'ACCEPTED', parties)).toBe(false);
    expect(decisionPermitted({ role: 'system' }, 'REJECTED', parties)).toBe(false);
  });

  it('expires a pending booking at the owner deadline, or at check-in if sooner', () => {
    const requested = new Date('2030-01-01T10:00:00Z');
    const farCheckIn = new Date('2030-02-01T00:00:00Z');
    const nearCheckIn = new Date('2030-01-01T20:00:00Z');
    const day = parseDuration('24h') as number;
    expect(ownerDecisionDeadline(requested, day, farCheckIn).toISOString()).toBe(
      '2030-01-02T10:00:00.000Z',
    );
    expect(ownerDecisionDeadline(requested, day, nearCheckIn)).toEqual(nearCheckIn);
    expect([parseDuration('90s'), parseDuration('1500'), parseDuration('2d')]).toEqual([
      90_000, 1500, 172_800_000,
    ]);
    expect(parseDuration('soon')).toBeNull();
  });
});
