/**
 * The Kafka contracts of the seed design, kept field for field. We add `eventId` (consumers
 * de-duplicate on it) and `version` (the schema version); we never rename or drop a seed field.
 *
 * Strict in what we send, liberal in what the seed allows: every producer validates against the
 * strict schema (a UUID eventId, version 1, UTC instants as `toISOString` writes them) and every
 * consumer reads through the received schema, which takes a message exactly as the seed document
 * prints it (no eventId, no version), any non-empty eventId, any ISO-8601 instant with `Z` or an
 * offset, and gives the handler the same normalised shape either way.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BOOKING_STATUSES, DECISION_STATUSES } from './booking-status.js';
import { OBJECT_ID_HEX } from './ids.js';
import { normalizeIsoInstant } from './instant.js';

export const MESSAGE_SCHEMA_VERSION = 1;

export const objectIdHex = z.string().regex(OBJECT_ID_HEX, 'must be a 24-character hex ObjectId');
/** Ids as peers may write them: hex in either case, kept in lower case as Mongo prints them. */
const receivedObjectId = z
  .string()
  .regex(new RegExp(OBJECT_ID_HEX.source, 'i'), 'must be a 24-character hex ObjectId')
  .transform((id) => id.toLowerCase());

/** The one form we write: `2025-11-19T10:30:00.000Z`. */
const utcInstant = z.iso.datetime({ offset: false });
/** Any ISO-8601 instant with `Z` or an offset, normalised to the form we write. */
const receivedInstant = z.string().transform((text, ctx) => {
  const utc = normalizeIsoInstant(text);
  if (utc !== null) return utc;
  ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date-time with Z or an offset' });
  return z.NEVER;
});

type Instant = typeof utcInstant | typeof receivedInstant;
type Id = typeof objectIdHex | typeof receivedObjectId;

/** The seed's `booking-created` fields (topic `booking-requests`). */
const bookingCreatedFields = (instant: Instant, id: Id) => ({
  type: z.literal('booking-created'),
  bookingId: id,
  propertyId: id,
  propertyName: z.string().min(1),
  travelerId: id,
  ownerId: id,
  checkIn: instant,
  checkOut: instant,
  guests: z.number().int().positive(),
  totalPrice: z.number().nonnegative(),
  timestamp: instant,
});

/** The seed's `booking-status-updated` fields (topic `booking-updates`). */
const bookingStatusUpdatedFields = (instant: Instant, id: Id) => ({
  type: z.literal('booking-status-updated'),
  bookingId: id,
  status: z.enum(DECISION_STATUSES),
  reason: z.string().max(1000).optional(),
  travelerId: id,
  ownerId: id,
  timestamp: instant,
});

const sentEnvelope = { eventId: z.uuid(), version: z.literal(MESSAGE_SCHEMA_VERSION) };
const receivedEnvelope = {
  eventId: z.string().min(1).max(200).optional(),
  version: z.literal(MESSAGE_SCHEMA_VERSION).optional(),
};

/** Topic `booking-requests`, as we send it: a traveler asked for a stay. */
export const bookingCreatedMessage = z.object({
  ...bookingCreatedFields(utcInstant, objectIdHex),
  ...sentEnvelope,
});
export type BookingCreatedMessage = z.infer<typeof bookingCreatedMessage>;

/** Topic `booking-updates`, as we send it: the owner side decided. */
export const bookingStatusUpdatedMessage = z.object({
  ...bookingStatusUpdatedFields(utcInstant, objectIdHex),
  ...sentEnvelope,
});
export type BookingStatusUpdatedMessage = z.infer<typeof bookingStatusUpdatedMessage>;

/**
 * A received message always has an eventId and a version: its own, or (for a seed-format message
 * without one) an eventId derived from its content, so a redelivered record and a second copy of
 * the same decision are recognisably the same event to every consumer.
 */
function withEnvelope<M extends { eventId?: string; version?: number }>(message: M) {
  const { eventId, version, ...seedFields } = message;
  return {
    ...seedFields,
    eventId: eventId ?? nameBasedUuid(JSON.stringify(seedFields)),
    version: MESSAGE_SCHEMA_VERSION,
  };
}

/** Topic `booking-requests`, as the owner side reads it. */
export const receivedBookingCreated = z
  .object({ ...bookingCreatedFields(receivedInstant, receivedObjectId), ...receivedEnvelope })
  .transform(withEnvelope);
export type ReceivedBookingCreated = z.output<typeof receivedBookingCreated>;

/** Topic `booking-updates`, as the saga bridge reads it. */
export const receivedBookingStatusUpdated = z
  .object({ ...bookingStatusUpdatedFields(receivedInstant, receivedObjectId), ...receivedEnvelope })
  .transform(withEnvelope);
export type ReceivedBookingStatusUpdated = z.output<typeof receivedBookingStatusUpdated>;

/**
 * The version a message claims when it is one this code cannot read (a later schema), else
 * null. Such a message is dead-lettered with its own reason, to be re-driven once consumers
 * that understand it are deployed, rather than lumped in with broken ones.
 */
export function unsupportedVersion(json: unknown): number | null {
  if (typeof json !== 'object' || json === null) return null;
  const { version } = json as { version?: unknown };
  const later = typeof version === 'number' && Number.isInteger(version);
  return later && version > MESSAGE_SCHEMA_VERSION ? version : null;
}

/** A name-based (version 5 style) UUID: the same name always gives the same id. */
export function nameBasedUuid(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The eventId of a booking's own `booking-created` event: derived from the booking, so a
 * retried publish is recognisably the same event to every consumer.
 */
export function bookingCreatedEventId(bookingId: string): string {
  return nameBasedUuid(`booking-created:${bookingId}`);
}

// ---- Topic `user-events` (KAFKA_LIVE_EVENTS_TOPIC): what one user sees live ------------------
// Ours, not the seed's: one message per recipient, keyed by the recipient's userId, so all of a
// user's events are on one partition in log order. The API replicas read it to feed
// `GET /api/events` (kafka/live-events.ts); the worker and the notifier write it.

/** A booking's status changed: for its owner (a new PENDING request, every decision) and traveler. */
const bookingStatusEventFields = (instant: Instant, id: Id) => ({
  type: z.literal('booking-status'),
  userId: id,
  role: z.enum(['traveler', 'owner']),
  bookingId: id,
  propertyId: id,
  propertyName: z.string().min(1),
  status: z.enum(BOOKING_STATUSES),
  previousStatus: z.enum(BOOKING_STATUSES).nullable(),
  at: instant,
});

/** An in-app notification was stored for the user (notifications/channel.ts). */
const notificationEventFields = (instant: Instant, id: Id) => ({
  type: z.literal('notification'),
  userId: id,
  notification: z.object({
    id,
    kind: z.string().min(1),
    title: z.string(),
    body: z.string(),
    bookingId: id.optional(),
    createdAt: instant,
    read: z.boolean(),
  }),
});

/** Topic `user-events`, as we send it. The eventId is derived from the event (see below). */
export const userEventMessage = z.discriminatedUnion('type', [
  z.object({ ...bookingStatusEventFields(utcInstant, objectIdHex), ...sentEnvelope }),
  z.object({ ...notificationEventFields(utcInstant, objectIdHex), ...sentEnvelope }),
]);
export type UserEventMessage = z.infer<typeof userEventMessage>;

/** Topic `user-events`, as the API reads it: any eventId, any ISO instant, ids in any case. */
export const receivedUserEvent = z.discriminatedUnion('type', [
  z.object({
    ...bookingStatusEventFields(receivedInstant, receivedObjectId),
    previousStatus: z
      .enum(BOOKING_STATUSES)
      .nullish()
      .transform((status) => status ?? null),
    eventId: z.string().min(1).max(200),
    version: z.literal(MESSAGE_SCHEMA_VERSION).optional(),
  }),
  z.object({
    ...notificationEventFields(receivedInstant, receivedObjectId),
    eventId: z.string().min(1).max(200),
    version: z.literal(MESSAGE_SCHEMA_VERSION).optional(),
  }),
]);
export type ReceivedUserEvent = z.output<typeof receivedUserEvent>;

/**
 * The eventId of a booking reaching a status: the same for the traveler's and the owner's copy
 * and for every retry of the activity that publishes it (a booking reaches each status once).
 */
export function bookingStatusEventId(bookingId: string, status: string): string {
  return nameBasedUuid(`booking-status:${bookingId}:${status}`);
}

/** The eventId of a stored notification's live event: every re-publish of it is the same event. */
export function notificationEventId(notificationId: string): string {
  return nameBasedUuid(`notification:${notificationId}`);
}
