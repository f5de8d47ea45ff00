import mongoose from 'mongoose';
import type { IgnoredDecision, TransitionRecord } from '../domain/booking-history.js';
import type { BookingSagaInput } from '../workflows/booking-definitions.js';
import { isDuplicateKeyError } from './connection.js';
import { Booking } from './models.js';

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
 * so a retried activity cannot apply it twice or over a newer status.
 */
export async function applyTransition(
  bookingId: string,
  transition: TransitionRecord,
): Promise<void> {
  const result = await Booking.updateOne(
    { _id: oid(bookingId), status: transition.from },
    { $set: { status: transition.to }, $push: { history: transition } },
  );
  if (result.matchedCount === 1) return;
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
  await Booking.updateOne(
    { _id: oid(bookingId), 'ignoredDecisions.eventId': { $ne: ignored.eventId } },
    { $push: { ignoredDecisions: ignored } },
  );
}
