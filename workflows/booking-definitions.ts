/**
 * The booking saga's public surface: its input, signals, queries, update, search attributes and
 * the activity contract it drives. Clients (API, bridge, ops tools) import these names so the
 * workflow and its callers can never drift apart.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { BookingStatus } from '../domain/booking-status.js';
import type {
  BookingDecision,
  IgnoredDecision,
  TransitionRecord,
} from '../domain/booking-history.js';
import type { BookingDetails } from '../domain/booking.js';
import type { NightsHold } from '../domain/stay.js';

/** The saga's workflow type: the name `workflows/booking.ts` exports it under. */
export const BOOKING_WORKFLOW_TYPE = 'bookingWorkflow';

/** What the saga is started with: the booking, and how long its owner has to decide. */
export interface BookingSagaInput extends BookingDetails {
  ownerDecisionTimeoutMs: number;
  /** The traveler's pending-request slots the booking takes while PENDING (absent before caps). */
  pendingRequestSlots?: string[];
}

/** What a booking request learns synchronously: were the nights free? */
export type NightsHoldOutcome =
  { held: true; status: BookingStatus } | Extract<NightsHold, { held: false }>;

export type SagaPhase = 'HOLDING_NIGHTS' | 'UNAVAILABLE' | BookingStatus;

export interface BookingSagaState {
  bookingId: string;
  status: SagaPhase;
  ownerDecisionDeadline?: string;
  transitions: TransitionRecord[];
  ignoredDecisions: IgnoredDecision[];
}

export type { BookingDecision };

export const decideBookingSignal = defineSignal<[BookingDecision]>('decideBooking');
export const bookingStatusQuery = defineQuery<BookingSagaState>('status');
export const nightsHeldUpdate = defineUpdate<NightsHoldOutcome>('awaitNightsHeld');

export const searchAttributes = {
  bookingStatus: defineSearchAttributeKey('BookingStatus', SearchAttributeType.KEYWORD),
  propertyId: defineSearchAttributeKey('PropertyId', SearchAttributeType.KEYWORD),
  ownerId: defineSearchAttributeKey('OwnerId', SearchAttributeType.KEYWORD),
  travelerId: defineSearchAttributeKey('TravelerId', SearchAttributeType.KEYWORD),
  checkIn: defineSearchAttributeKey('CheckIn', SearchAttributeType.DATETIME),
} as const;

/** The side effects the saga drives; implemented in activities/, retried by Temporal. */
export interface BookingActivities {
  holdNights(input: {
    bookingId: string;
    propertyId: string;
    checkIn: string;
    checkOut: string;
  }): Promise<NightsHold>;
  /** The stay is optional only for sagas started before it was passed (their histories). */
  releaseNights(input: {
    bookingId: string;
    propertyId?: string;
    checkIn?: string;
    checkOut?: string;
  }): Promise<number>;
  /**
   * The two status writes return the transition they wrote: a local activity's history marker
   * keeps its result but not its arguments, and `npm run ops -- audit` reads it from there.
   */
  recordPendingBooking(
    input: BookingSagaInput & { ownerDecisionDeadline: string; transition: TransitionRecord },
  ): Promise<TransitionRecord>;
  publishBookingCreated(input: BookingSagaInput & { requestedAt: string }): Promise<void>;
  recordTransition(input: {
    bookingId: string;
    transition: TransitionRecord;
    /** The traveler's pending-request slots to give back first, as the booking leaves PENDING. */
    releaseSlots?: string[];
  }): Promise<TransitionRecord>;
  recordIgnoredDecision(input: { bookingId: string; ignored: IgnoredDecision }): Promise<void>;
  notifyTraveler(input: {
    bookingId: string;
    travelerId: string;
    propertyName: string;
    transition: TransitionRecord;
  }): Promise<void>;
}
