/**
 * The Kafka contracts of the seed design, kept field for field. We add `eventId` (consumers
 * de-duplicate on it) and `version` (the schema version); we never rename or drop a seed field.
 * Every producer validates before sending and every consumer validates after receiving.
 */
import { z } from 'zod';
import { DECISION_STATUSES } from './booking-status.js';

export const MESSAGE_SCHEMA_VERSION = 1;

export const objectIdHex = z
  .string()
  .regex(/^[0-9a-f]{24}$/, 'must be a 24-character hex ObjectId');
const isoInstant = z.iso.datetime({ offset: false });
const envelope = {
  eventId: z.uuid(),
  version: z.literal(MESSAGE_SCHEMA_VERSION),
  timestamp: isoInstant,
};

/** Topic `booking-requests`: a traveler asked for a stay; the owner side is told. */
export const bookingCreatedMessage = z.object({
  type: z.literal('booking-created'),
  bookingId: objectIdHex,
  propertyId: objectIdHex,
  propertyName: z.string().min(1),
  travelerId: objectIdHex,
  ownerId: objectIdHex,
  checkIn: isoInstant,
  checkOut: isoInstant,
  guests: z.number().int().positive(),
  totalPrice: z.number().nonnegative(),
  ...envelope,
});
export type BookingCreatedMessage = z.infer<typeof bookingCreatedMessage>;

/** Topic `booking-updates`: the owner side decided; the saga bridge signals the workflow. */
export const bookingStatusUpdatedMessage = z.object({
  type: z.literal('booking-status-updated'),
  bookingId: objectIdHex,
  status: z.enum(DECISION_STATUSES),
  reason: z.string().max(1000).optional(),
  travelerId: objectIdHex,
  ownerId: objectIdHex,
  ...envelope,
});
export type BookingStatusUpdatedMessage = z.infer<typeof bookingStatusUpdatedMessage>;

/** Why a consumer refused a message; travels as a dead-letter header. */
export type DeadLetterReason =
  | 'malformed-json'
  | 'schema-violation'
  | 'unknown-booking'
  | 'booking-finished'
  | 'handler-rejected';
