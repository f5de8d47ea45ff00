/**
 * Every decision a saga receives is built here, whoever makes it: an owner's, read from
 * `booking-updates` (whichever owner service produced it), or a traveler's cancellation through
 * the API. The saga checks who may decide what (`decisionPermitted`); these only say who asked.
 */
import type { BookingDecision } from './booking-history.js';
import type { ReceivedBookingStatusUpdated } from './messages.js';

/** Where on Kafka a message was read. */
export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** An owner's decision, as a `booking-status-updated` message states it. */
export function ownerDecision(
  message: ReceivedBookingStatusUpdated,
  position: KafkaPosition,
): BookingDecision {
  return {
    eventId: message.eventId,
    status: message.status,
    reason: message.reason,
    actor: { role: 'owner', userId: message.ownerId },
    decidedAt: message.timestamp,
    source: { kind: 'kafka', ...position },
  };
}

/** A traveler cancelling their own booking through the API. */
export function travelerCancellation(request: {
  eventId: string;
  travelerId: string;
  reason?: string;
  at: Date;
}): BookingDecision {
  return {
    eventId: request.eventId,
    status: 'CANCELLED',
    reason: request.reason,
    actor: { role: 'traveler', userId: request.travelerId },
    decidedAt: request.at.toISOString(),
    source: { kind: 'api' },
  };
}
