/**
 * Decisions on a booking. Owners decide through Kafka (`booking-updates`, the seed contract),
 * which the bridge turns into workflow signals; travelers cancel by signalling the workflow
 * directly. Either way only the workflow changes the status; here we check who may ask.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import {
  canTransition,
  type BookingStatus,
  type DecisionStatus,
} from '../domain/booking-status.js';
import { travelerCancellation } from '../domain/decisions.js';
import { bookingWorkflowId } from '../domain/ids.js';
import { MESSAGE_SCHEMA_VERSION } from '../domain/messages.js';
import { findBookingById } from '../db/bookings.js';
import { isObjectIdHex } from '../db/ids.js';
import { recordIssuedDecision } from '../db/issued-decisions.js';
import type { BookingEventPublisher } from '../kafka/publisher.js';
import { decideBookingSignal } from '../workflows/booking-definitions.js';
import type { AuthUser } from './accounts.js';
import { DomainError, notFound } from '../domain/errors.js';

export interface DecisionAccepted {
  bookingId: string;
  requestedStatus: DecisionStatus;
  eventId: string;
}

type Party = 'ownerId' | 'travelerId';

/**
 * A booking as seen by one of its parties: 404 when it does not exist and also when `user` is
 * none of the `parties` allowed here, so an outsider cannot tell which booking ids exist. Every
 * read and decision on one booking goes through this.
 */
export async function bookingOfParty(
  bookingId: string,
  user: AuthUser,
  parties: readonly Party[] = ['ownerId', 'travelerId'],
) {
  if (!isObjectIdHex(bookingId)) throw notFound('Booking');
  const booking = await findBookingById(bookingId);
  if (!booking) throw notFound('Booking');
  if (!parties.some((party) => booking[party].toString() === user.id)) throw notFound('Booking');
  return booking;
}

function refuseInvalid(current: string, requested: DecisionStatus) {
  if (!canTransition(current as BookingStatus, requested)) {
    throw new DomainError('invalid_transition', `A ${current} booking cannot become ${requested}`);
  }
}

export async function decideAsOwner(
  publisher: BookingEventPublisher,
  owner: AuthUser,
  bookingId: string,
  status: DecisionStatus,
  reason?: string,
): Promise<DecisionAccepted> {
  const booking = await bookingOfParty(bookingId, owner, ['ownerId']);
  refuseInvalid(booking.status, status);
  const eventId = randomUUID();
  const issuedAt = new Date();
  // Recorded first, so every decision of ours on the topic has its record (a record whose
  // publish then failed is a decision that never went out: the client got a 5xx).
  await recordIssuedDecision({ eventId, bookingId, ownerId: owner.id, status, issuedAt });
  await publisher.bookingStatusUpdated({
    type: 'booking-status-updated',
    bookingId,
    status,
    reason,
    travelerId: booking.travelerId.toString(),
    ownerId: owner.id,
    timestamp: issuedAt.toISOString(),
    eventId,
    version: MESSAGE_SCHEMA_VERSION,
  });
  return { bookingId, requestedStatus: status, eventId };
}

export async function cancelAsTraveler(
  temporal: Client,
  traveler: AuthUser,
  bookingId: string,
  reason?: string,
): Promise<DecisionAccepted> {
  const booking = await bookingOfParty(bookingId, traveler, ['travelerId']);
  refuseInvalid(booking.status, 'CANCELLED');
  const eventId = randomUUID();
  const cancellation = travelerCancellation({
    eventId,
    travelerId: traveler.id,
    reason,
    at: new Date(),
  });
  await temporal.workflow
    .getHandle(bookingWorkflowId(bookingId))
    .signal(decideBookingSignal, cancellation);
  return { bookingId, requestedStatus: 'CANCELLED', eventId };
}
