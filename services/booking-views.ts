import type { BookingDoc } from '../db/bookings.js';

/** The JSON shape of a booking in every API answer. */
export function bookingView(booking: BookingDoc & { _id: unknown }) {
  return {
    id: String(booking._id),
    propertyId: booking.propertyId.toString(),
    propertyName: booking.propertyName,
    ownerId: booking.ownerId.toString(),
    travelerId: booking.travelerId.toString(),
    travelerName: booking.travelerName,
    checkIn: booking.checkIn.toISOString(),
    checkOut: booking.checkOut.toISOString(),
    guests: booking.guests,
    nights: booking.nights,
    pricePerNight: booking.pricePerNight,
    cleaningFee: booking.cleaningFee,
    serviceFee: booking.serviceFee,
    totalPrice: booking.totalPrice,
    status: booking.status,
    ownerDecisionDeadline: booking.ownerDecisionDeadline.toISOString(),
    history: booking.history.map((t) => ({
      from: t.from ?? null,
      to: t.to,
      at: t.at.toISOString(),
      actor: t.actor,
      reason: t.reason ?? undefined,
      eventId: t.eventId ?? undefined,
      source: t.source as unknown,
    })),
    createdAt: (booking as { createdAt?: Date }).createdAt?.toISOString(),
  };
}
