/** The Mongo side of an audit: the booking document with its transitions and ignored decisions. */
import { findBookingById } from '../../db/bookings.js';
import { asRecord, asString, type AuditEvidence } from './evidence.js';

export async function collectMongoEvidence(bookingId: string): Promise<AuditEvidence['mongo']> {
  const booking = await findBookingById(bookingId);
  if (!booking) return undefined;
  return {
    status: booking.status,
    history: booking.history.map((h) => ({
      from: h.from ?? null,
      to: h.to,
      at: h.at.toISOString(),
      eventId: h.eventId ?? undefined,
      sourceKind: asString(asRecord(h.source).kind),
    })),
    ignoredDecisions: (booking.ignoredDecisions as unknown[]).map((raw) => {
      const ignored = asRecord(raw);
      return {
        eventId: asString(ignored.eventId),
        status: asString(ignored.status),
        ignoreReason: asString(ignored.ignoreReason),
        receivedAt: asString(ignored.receivedAt),
        sourceKind: asString(asRecord(ignored.source).kind),
      };
    }),
  };
}
