import { describe, expect, it } from 'vitest';
import {
  bookingCreatedEventId,
  bookingCreatedMessage,
  bookingStatusUpdatedMessage,
  receivedBookingCreated,
  receivedBookingStatusUpdated,
} from '../../domain/messages.js';
import { parseMessage } from '../../kafka/validated-consumer.js';

const seedCreated = {
  type: 'booking-created',
  bookingId: '507f1f77bcf86cd799439011',
  propertyId: '507f1f77bcf86cd799439012',
  propertyName: 'Luxury Beach Villa',
  travelerId: '507f1f77bcf86cd799439013',
  ownerId: '507f1f77bcf86cd799439014',
  checkIn: '2025-12-01T00:00:00.000Z',
  checkOut: '2025-12-05T00:00:00.000Z',
  guests: 4,
  totalPrice: 1200,
  timestamp: '2025-11-19T10:30:00.000Z',
};

describe('the Kafka message contracts', () => {
  it("accept the seed's booking-created example plus eventId and version", () => {
    const message = {
      ...seedCreated,
      eventId: bookingCreatedEventId(seedCreated.bookingId),
      version: 1,
    };
    expect(bookingCreatedMessage.parse(message)).toEqual(message);
  });

  it("accept the seed's booking-status-updated example plus eventId and version", () => {
    const message = {
      type: 'booking-status-updated',
      bookingId: '507f1f77bcf86cd799439011',
      status: 'ACCEPTED',
      reason: 'Optional cancellation reason',
      travelerId: '507f1f77bcf86cd799439013',
      ownerId: '507f1f77bcf86cd799439014',
      timestamp: '2025-11-19T11:00:00.000Z',
      eventId: '9b2f4a3e-8c1d-4e5f-9a6b-7c8d9e0f1a2b',
      version: 1,
    };
    expect(bookingStatusUpdatedMessage.parse(message)).toEqual(message);
  });

  it('derive one stable eventId per booking for booking-created', () => {
    const id = bookingCreatedEventId('507f1f77bcf86cd799439011');
    expect(id).toBe(bookingCreatedEventId('507f1f77bcf86cd799439011'));
    expect(id).not.toBe(bookingCreatedEventId('507f1f77bcf86cd799439012'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('classify malformed JSON and schema violations for the dead-letter topic', () => {
    expect(parseMessage(Buffer.from('{not json'), bookingCreatedMessage)).toMatchObject({
      ok: false,
      reason: 'malformed-json',
    });
    const wrong = parseMessage(
      Buffer.from(JSON.stringify({ ...seedCreated, guests: 'four' })),
      bookingCreatedMessage,
    );
    expect(wrong).toMatchObject({ ok: false, reason: 'schema-violation' });
    expect(wrong.ok ? '' : wrong.detail).toContain('guests');
  });

  it('keep what we send strict: our producers always write a UUID eventId and version 1', () => {
    const noEventId = parseMessage(Buffer.from(JSON.stringify(seedCreated)), bookingCreatedMessage);
    expect(noEventId.ok ? '' : noEventId.detail).toContain('eventId');
    const withOffset = { ...seedCreated, timestamp: '2025-11-19T11:30:00+01:00' };
    const sent = {
      ...withOffset,
      eventId: bookingCreatedEventId(seedCreated.bookingId),
      version: 1,
    };
    expect(bookingCreatedMessage.safeParse(sent).success).toBe(false);
  });

  it('refuse statuses that are not decisions on booking-updates', () => {
    const result = bookingStatusUpdatedMessage.safeParse({
      type: 'booking-status-updated',
      bookingId: '507f1f77bcf86cd799439011',
      status: 'EXPIRED',
      travelerId: '507f1f77bcf86cd799439013',
      ownerId: '507f1f77bcf86cd799439014',
      timestamp: '2025-11-19T11:00:00.000Z',
      eventId: '9b2f4a3e-8c1d-4e5f-9a6b-7c8d9e0f1a2b',
      version: 1,
    });
    expect(result.success).toBe(false);
  });

  it("read the seed's booking-created example exactly as printed, with a stable derived eventId", () => {
    const first = parseMessage(Buffer.from(JSON.stringify(seedCreated)), receivedBookingCreated);
    const again = parseMessage(Buffer.from(JSON.stringify(seedCreated)), receivedBookingCreated);
    expect(first).toEqual(again);
    if (!first.ok) throw new Error(first.detail);
    expect(first.value).toEqual({ ...seedCreated, eventId: first.value.eventId, version: 1 });
    expect(first.value.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5/);
    const otherBooking = parseMessage(
      Buffer.from(JSON.stringify({ ...seedCreated, bookingId: '507f1f77bcf86cd799439099' })),
      receivedBookingCreated,
    );
    expect(otherBooking.ok && otherBooking.value.eventId).not.toBe(first.value.eventId);
  });

  it("read the seed's booking-status-updated example exactly as printed", () => {
    const seedDecision = {
      type: 'booking-status-updated',
      bookingId: '507f1f77bcf86cd799439011',
      status: 'ACCEPTED',
      reason: 'Optional cancellation reason',
      travelerId: '507f1f77bcf86cd799439013',
      ownerId: '507f1f77bcf86cd799439014',
      timestamp: '2025-11-19T11:00:00.000Z',
    };
    const read = receivedBookingStatusUpdated.parse(seedDecision);
    expect(read).toEqual({ ...seedDecision, eventId: read.eventId, version: 1 });
    // The same decision written another way (offset instead of Z, upper-case ids, an extra
    // field) is the same event.
    const rewritten = receivedBookingStatusUpdated.parse({
      ...seedDecision,
      bookingId: seedDecision.bookingId.toUpperCase(),
      timestamp: '2025-11-19T12:00:00+01:00',
      source: 'another owner service',
    });
    expect(rewritten).toEqual(read);
    const withoutReason = receivedBookingStatusUpdated.parse({
      ...seedDecision,
      reason: undefined,
    });
    expect(withoutReason.eventId).not.toBe(read.eventId);
  });

  it('take any non-empty eventId up to 200 characters, and no other', () => {
    const decision = (eventId: unknown) => ({
      type: 'booking-status-updated',
      bookingId: '507f1f77bcf86cd799439011',
      status: 'REJECTED',
      travelerId: '507f1f77bcf86cd799439013',
      ownerId: '507f1f77bcf86cd799439014',
      timestamp: '2025-11-19T11:00:00Z',
      eventId,
    });
    expect(receivedBookingStatusUpdated.parse(decision('owner-svc#42')).eventId).toBe(
      'owner-svc#42',
    );
    expect(receivedBookingStatusUpdated.parse(decision('x'.repeat(200))).eventId).toHaveLength(200);
    for (const bad of ['', 'x'.repeat(201), 42, null]) {
      expect(receivedBookingStatusUpdated.safeParse(decision(bad)).success, String(bad)).toBe(
        false,
      );
    }
  });

  it('dead-letter a later schema version with its own reason; a missing version means 1', () => {
    const v2 = parseMessage(
      Buffer.from(JSON.stringify({ ...seedCreated, version: 2 })),
      receivedBookingCreated,
    );
    expect(v2).toEqual({
      ok: false,
      reason: 'unsupported-version',
      detail: 'version 2; this consumer reads version 1',
    });
    const v1 = parseMessage(
      Buffer.from(JSON.stringify({ ...seedCreated, version: 1 })),
      receivedBookingCreated,
    );
    expect(v1.ok && v1.value.version).toBe(1);
    for (const version of [0, '1', 1.5]) {
      const odd = parseMessage(
        Buffer.from(JSON.stringify({ ...seedCreated, version })),
        receivedBookingCreated,
      );
      expect(odd, String(version)).toMatchObject({ ok: false, reason: 'schema-violation' });
    }
  });

  it('normalise the dates of a received booking-created to UTC', () => {
    const read = receivedBookingCreated.parse({
      ...seedCreated,
      checkIn: '2025-12-01T01:00:00+01:00',
      checkOut: '2025-12-04T19:00-05:00',
      timestamp: '2025-11-19T10:30:00.123456789Z',
    });
    expect(read).toMatchObject({
      checkIn: '2025-12-01T00:00:00.000Z',
      checkOut: '2025-12-05T00:00:00.000Z',
      timestamp: '2025-11-19T10:30:00.123Z',
    });
    for (const checkIn of ['2025-12-01', '2025-12-01T00:00:00', '2025-02-30T00:00:00Z', 'soon']) {
      const result = receivedBookingCreated.safeParse({ ...seedCreated, checkIn });
      expect(result.success, checkIn).toBe(false);
    }
  });
});
