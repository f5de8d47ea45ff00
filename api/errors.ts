/**
 * Errors as HTTP answers: every one is `{ error: { code, message, details? } }`. A domain error's
 * status comes from its code (a new code does not compile without one); `HttpError` is for what
 * only HTTP knows about (a body that is not JSON, a method a path does not serve).
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { DomainErrorCode } from '../domain/errors.js';

export const STATUS_OF: Record<DomainErrorCode, ContentfulStatusCode> = {
  not_found: 404,
  forbidden: 403,
  unauthenticated: 401,
  invalid_credentials: 401,
  email_taken: 409,
  too_many_attempts: 429,
  login_busy: 503,
  invalid_reset_token: 400,
  invalid_stay: 422,
  check_in_too_soon: 422,
  check_in_too_far: 422,
  too_many_guests: 422,
  property_unavailable: 409,
  dates_unavailable: 409,
  too_many_pending_requests: 409,
  idempotency_key_reused: 422,
  invalid_transition: 409,
  property_has_live_bookings: 409,
  unsupported_image: 422,
  photo_too_large: 413,
  image_too_large_in_pixels: 422,
  too_many_photos: 409,
  invalid_photo_order: 422,
  booking_not_plannable: 409,
  stay_too_long_to_plan: 422,
  planner_unavailable: 503,
  planner_busy: 503,
  planner_timeout: 504,
  planner_invalid_reply: 502,
};

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
