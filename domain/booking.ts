import type { TransitionRecord } from './booking-history.js';
import type { StayPrice } from './stay.js';

/** What a booking is about: the stay, its two parties and the server's price. */
export interface BookingDetails {
  bookingId: string;
  propertyId: string;
  propertyName: string;
  ownerId: string;
  travelerId: string;
  /** Kept on the booking so owners can search by guest name (no joins on FerretDB). */
  travelerName: string;
  /** ISO-8601 UTC midnights. */
  checkIn: string;
  checkOut: string;
  guests: number;
  price: StayPrice;
}

/** A booking as it is first recorded: PENDING, with its deadline and first transition. */
export interface NewBooking extends BookingDetails {
  ownerDecisionDeadline: string;
  firstTransition: TransitionRecord;
}
