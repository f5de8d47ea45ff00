/**
 * The `issued_decisions` collection: each owner decision the API issued, recorded before it is
 * published on `booking-updates`, keyed by its eventId. The broker cannot say who produced a
 * message; this record can (`npm run ops -- audit`).
 */
import { toObjectId } from './ids.js';
import { IssuedDecision } from './models.js';

export async function recordIssuedDecision(decision: {
  eventId: string;
  bookingId: string;
  ownerId: string;
  status: string;
  issuedAt: Date;
}): Promise<void> {
  await IssuedDecision.create({
    _id: decision.eventId,
    bookingId: toObjectId(decision.bookingId),
    ownerId: toObjectId(decision.ownerId),
    status: decision.status,
    issuedAt: decision.issuedAt,
  });
}

/** By `_id` alone, the lookup FerretDB serves from its index. */
export async function wasIssuedByApi(eventId: string): Promise<boolean> {
  return (await IssuedDecision.exists({ _id: eventId })) !== null;
}
