/** Default time an owner has to decide on a pending booking. */
export const DEFAULT_OWNER_DECISION_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/**
 * When a pending booking expires: the owner's decision window, but never later than check-in,
 * because a stay that has started can no longer be approved.
 */
export function ownerDecisionDeadline(requestedAt: Date, timeoutMs: number, checkIn: Date): Date {
  return new Date(Math.min(requestedAt.getTime() + timeoutMs, checkIn.getTime()));
}
