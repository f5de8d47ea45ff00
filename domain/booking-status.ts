/**
 * The booking state machine. Every status change in the system, whoever asks for it, is
 * checked here first; the workflow is the only writer that applies it.
 */
export const BOOKING_STATUSES = [
  'PENDING',
  'ACCEPTED',
  'REJECTED',
  'EXPIRED',
  'CANCELLED',
  'COMPLETED',
] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** Statuses a person (owner or traveler) may ask for; EXPIRED and COMPLETED come from timers. */
export const DECISION_STATUSES = ['ACCEPTED', 'REJECTED', 'CANCELLED'] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];

const NEXT: Record<BookingStatus, readonly BookingStatus[]> = {
  PENDING: ['ACCEPTED', 'REJECTED', 'EXPIRED', 'CANCELLED'],
  ACCEPTED: ['CANCELLED', 'COMPLETED'],
  REJECTED: [],
  EXPIRED: [],
  CANCELLED: [],
  COMPLETED: [],
};

export function canTransition(from: BookingStatus, to: BookingStatus): boolean {
  return NEXT[from].includes(to);
}

export function isFinal(status: BookingStatus): boolean {
  return NEXT[status].length === 0;
}

/**
 * Every final status gives the nights back: REJECTED, EXPIRED and CANCELLED as the saga's
 * compensation, COMPLETED because the stay is over. The ledger then holds live bookings only.
 */
export function releasesNights(status: BookingStatus): boolean {
  return isFinal(status);
}

/** Bookings in these statuses still own their nights. */
export const LIVE_STATUSES: readonly BookingStatus[] = ['PENDING', 'ACCEPTED'];
