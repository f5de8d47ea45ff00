/** The `idempotency_keys` collection: a booking request's `Idempotency-Key`, per traveler. */
import { isDuplicateKeyError } from './connection.js';
import { toObjectId } from './ids.js';
import { IdempotencyKey } from './models.js';

/**
 * Claims `key` for `bookingId`. The first claim wins: a later or concurrent one gets the booking
 * id and request fingerprint the key was first claimed with.
 */
export async function claimIdempotencyKey(
  key: string,
  bookingId: string,
  fingerprint: string,
): Promise<{ first: true } | { first: false; bookingId: string; fingerprint: string }> {
  try {
    await IdempotencyKey.create({ _id: key, bookingId: toObjectId(bookingId), fingerprint });
    return { first: true };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  const existing = await IdempotencyKey.findById(key).lean();
  if (!existing) throw new Error(`idempotency key ${key} vanished`);
  return {
    first: false,
    bookingId: existing.bookingId.toString(),
    fingerprint: existing.fingerprint,
  };
}
