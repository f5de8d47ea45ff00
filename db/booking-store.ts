import mongoose from 'mongoose';
import type { IgnoredDecision, TransitionRecord } from '../domain/booking-history.js';
import type { BookingSagaInput } from '../workflows/booking-definitions.js';
import { isDuplicateKeyError } from './connection.js';
import { updateByIdIf } from './guarded-update.js';
import { Booking, type BookingDoc } from './models.js';
import { releasePendingRequestSlots } from './pending-request-slots.js';

const oid = (id: string) => new mongoose.Types.ObjectId(id);

/** Writes the booking PENDING with its first history entry. A retried write is a no-op. */
export async function createPendingBooking(
  input: BookingSagaInput,
  ownerDecisionDeadline: string,
  transition: TransitionRecord,
): Promise<void> {
  try {
    await Booking.create({
      _id: oid(input.bookingId),
      propertyId: oid(input.propertyId),
      propertyName: input.propertyName,
      ownerId: oid(input.ownerId),
      travelerId: oid(input.travelerId),
      travelerName: input.travelerName,
      checkIn: new Date(input.checkIn),
      checkOut: new Date(input.checkOut),
      guests: input.guests,
      nights: input.price.nights,
      pricePerNight: input.price.pricePerNight,
      cleaningFee: input.price.cleaningFee,
      serviceFee: input.price.serviceFee,
      totalPrice: input.price.totalPrice,
      status: 'PENDING',
      ownerDecisionDeadline: new Date(ownerDecisionDeadline),
      history: [transition],
    });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
}

export class TransitionConflictError extends Error {}

/**
 * Applies a transition the workflow already decided on, guarded by the expected current status
 * so a retried activity cannot apply it twice or over a newer status. A booking that leaves
 * PENDING first gives back its pending-request slots, so once the new status shows, the
 * traveler may already send another request.
 */
export async function applyTransition(
  bookingId: string,
  transition: TransitionRecord,
  releaseSlots: readonly string[] = [],
): Promise<void> {
  await releasePendingRequestSlots(bookingId, releaseSlots);
  const applied = await updateByIdIf(
    Booking,
    oid(bookingId),
    {
      filter: { status: transition.from },
      holds: (booking: BookingDoc) => booking.status === transition.from,
      select: { status: 1 },
    },
    { $set: { status: transition.to }, $push: { history: transition } },
  );
  if (applied) return;
  const current = await Booking.findById(bookingId).select({ status: 1 }).lean();
  if (current?.status === transition.to) return;
  throw new TransitionConflictError(
    `booking ${bookingId} is ${current?.status ?? 'missing'}, expected ${transition.from ?? 'none'}`,
  );
}

export async function recordIgnoredDecision(
  bookingId: string,
  ignored: IgnoredDecision,
): Promise<void> {
  await updateByIdIf(
    Booking,
    oid(bookingId),
    {
      filter: { 'ignoredDecisions.eventId': { $ne: ignored.eventId } },
      holds: (booking: BookingDoc) =>
        !(booking.ignoredDecisions as IgnoredDecision[]).some((d) => d.eventId === ignored.eventId),
      select: { 'ignoredDecisions.eventId': 1 },
    },
    { $push: { ignoredDecisions: ignored } },
  );
}
