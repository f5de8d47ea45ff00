/**
 * The saga's side effects, each one thin and idempotent so Temporal can retry it freely.
 * Built by a factory that receives its dependencies, so tests and processes wire their own.
 */
import type { BookingStatus } from '../domain/booking-status.js';
import { bookingCreatedEventId, MESSAGE_SCHEMA_VERSION } from '../domain/messages.js';
import { nightsBetween } from '../domain/stay.js';
import type { BookingActivities } from '../workflows/booking-definitions.js';
import * as bookings from '../db/bookings.js';
import * as ledger from '../db/night-ledger.js';
import { bookingStatusEvents } from '../kafka/live-events.js';
import type { BookingEventPublisher } from '../kafka/publisher.js';
import type { NotificationChannel } from '../notifications/channel.js';

export interface BookingActivityDeps {
  publisher: BookingEventPublisher;
  notifications: NotificationChannel;
}

/** A title per status: a new status does not compile without one. */
const STATUS_TITLES: Record<BookingStatus, string> = {
  PENDING: 'Booking requested',
  ACCEPTED: 'Booking accepted',
  REJECTED: 'Booking rejected',
  EXPIRED: 'Booking expired',
  CANCELLED: 'Booking cancelled',
  COMPLETED: 'Stay completed',
};

/** The decisions the traveler also hears about by email, as the seed's notification service did. */
const EMAILED_STATUSES = new Set<BookingStatus>(['ACCEPTED', 'REJECTED', 'EXPIRED', 'CANCELLED']);

export function createBookingActivities(deps: BookingActivityDeps): BookingActivities {
  return {
    async holdNights({ bookingId, propertyId, checkIn, checkOut }) {
      return ledger.holdNights(bookingId, heldStay(propertyId, checkIn, checkOut));
    },

    async releaseNights({ bookingId, propertyId, checkIn, checkOut }) {
      const stay =
        propertyId && checkIn && checkOut ? heldStay(propertyId, checkIn, checkOut) : undefined;
      return ledger.releaseNights(bookingId, stay);
    },

    async recordPendingBooking({ transition, ...booking }) {
      await bookings.createPendingBooking({ ...booking, firstTransition: transition });
      return transition;
    },

    async publishBookingCreated(input) {
      // The owner's live event of the new request: here rather than in recordPendingBooking,
      // which the traveler's 201 waits for (and which must not wait for Kafka); and first, so
      // it is on the owner's partition before the notifier's notification of the same request.
      await deps.publisher.userEvents(
        bookingStatusEvents({
          ...input,
          status: 'PENDING',
          previousStatus: null,
          at: input.requestedAt,
        }),
      );
      await deps.publisher.bookingCreated({
        type: 'booking-created',
        bookingId: input.bookingId,
        propertyId: input.propertyId,
        propertyName: input.propertyName,
        travelerId: input.travelerId,
        ownerId: input.ownerId,
        checkIn: input.checkIn,
        checkOut: input.checkOut,
        guests: input.guests,
        totalPrice: input.price.totalPrice,
        timestamp: input.requestedAt,
        eventId: bookingCreatedEventId(input.bookingId),
        version: MESSAGE_SCHEMA_VERSION,
      });
    },

    async recordTransition({ bookingId, transition, releaseSlots }) {
      await bookings.applyTransition(bookingId, transition, releaseSlots);
      // Both parties' live events. A retry writes nothing twice (the transition is guarded) and
      // publishes the same eventId again, which the API keeps once.
      const booking = await bookings.findBookingById(bookingId);
      if (booking) {
        await deps.publisher.userEvents(
          bookingStatusEvents({
            bookingId,
            propertyId: booking.propertyId.toString(),
            propertyName: booking.propertyName,
            travelerId: booking.travelerId.toString(),
            ownerId: booking.ownerId.toString(),
            status: transition.to,
            previousStatus: transition.from,
            at: transition.at,
          }),
        );
      }
      return transition;
    },

    async recordIgnoredDecision({ bookingId, ignored }) {
      await bookings.recordIgnoredDecision(bookingId, ignored);
    },

    async notifyTraveler({ bookingId, travelerId, propertyName, transition }) {
      const reason = transition.reason ? ` Reason: ${transition.reason}` : '';
      await deps.notifications.deliver({
        userId: travelerId,
        causeKey: `booking:${bookingId}:${transition.to}`,
        kind: `booking-${transition.to.toLowerCase()}`,
        title: STATUS_TITLES[transition.to],
        body: `Your stay at ${propertyName} is now ${transition.to}.${reason}`,
        bookingId,
        byEmail: EMAILED_STATUSES.has(transition.to),
      });
    },
  };
}

function heldStay(propertyId: string, checkIn: string, checkOut: string): ledger.HeldStay {
  return {
    propertyId,
    nights: nightsBetween({ checkIn: new Date(checkIn), checkOut: new Date(checkOut) }),
  };
}
