import type { TransitionRecord } from './booking-history.js';
import type { StayPrice } from './stay.js';

/** A booking as it is first recorded: PENDING, priced by the server, with its first transition. */
export interface NewBooking {
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
  ownerDecisionDeadline: string;
  firstTransition: TransitionRecord;
}
