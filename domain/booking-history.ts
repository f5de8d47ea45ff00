import type { BookingStatus, DecisionStatus } from './booking-status.js';

/** Who caused a transition. `system` covers the owner deadline and the check-out timer. */
export interface Actor {
  role: 'owner' | 'traveler' | 'system';
  userId?: string;
}

/** Where a decision came from, so every transition can be traced back to its message. */
export type DecisionSource =
  | { kind: 'kafka'; topic: string; partition: number; offset: string }
  | { kind: 'api' }
  | { kind: 'timer' };

/** An owner's or traveler's request to move the booking, delivered to its saga as a signal. */
export interface BookingDecision {
  eventId: string;
  status: DecisionStatus;
  reason?: string;
  actor: Actor;
  decidedAt: string;
  source: DecisionSource;
}

/** One applied status change, as kept in the workflow state and the booking's Mongo history. */
export interface TransitionRecord {
  from: BookingStatus | null;
  to: BookingStatus;
  at: string;
  actor: Actor;
  reason?: string;
  eventId?: string;
  source: DecisionSource;
}

export type IgnoreReason = 'duplicate' | 'invalid-transition' | 'not-permitted' | 'too-late';

/** A decision the saga received but did not apply, kept so operators can see why. */
export interface IgnoredDecision {
  eventId: string;
  status: DecisionStatus;
  actor: Actor;
  receivedAt: string;
  statusAtReceipt: BookingStatus;
  ignoreReason: IgnoreReason;
  source: DecisionSource;
}

/** Owners decide on their properties' bookings; travelers may only cancel their own. */
export function decisionPermitted(
  actor: Actor,
  status: DecisionStatus,
  parties: { ownerId: string; travelerId: string },
): boolean {
  if (actor.role === 'owner') return actor.userId === parties.ownerId;
  if (actor.role === 'traveler')
    return actor.userId === parties.travelerId && status === 'CANCELLED';
  return false;
}
