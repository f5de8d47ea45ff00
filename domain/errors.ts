/**
 * What went wrong, in terms the caller can act on. Services throw these; the API maps each code
 * to its HTTP status (api/errors.ts), so no rule of the booking domain knows about HTTP.
 */
export type DomainErrorCode =
  | 'not_found'
  | 'forbidden'
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'email_taken'
  | 'too_many_attempts'
  | 'login_busy'
  | 'invalid_reset_token'
  | 'invalid_stay'
  | 'check_in_too_soon'
  | 'check_in_too_far'
  | 'too_many_guests'
  | 'property_unavailable'
  | 'dates_unavailable'
  | 'too_many_pending_requests'
  | 'idempotency_key_reused'
  | 'invalid_transition'
  | 'property_has_live_bookings'
  | 'unsupported_image'
  | 'photo_too_large'
  | 'image_too_large_in_pixels'
  | 'too_many_photos'
  | 'invalid_photo_order'
  // The trip planner (docs/agent.md): a stay it does not plan, and its model's failures.
  | 'booking_not_plannable'
  | 'stay_too_long_to_plan'
  | 'planner_unavailable'
  | 'planner_busy'
  | 'planner_timeout'
  | 'planner_invalid_reply';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Anything the caller may use (conflicting nights, the earliest check-in, retryAfterSeconds). */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const forbidden = (message: string) => new DomainError('forbidden', message);
