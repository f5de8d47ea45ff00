import { describe, expect, it } from 'vitest';
import { bookingCreatedEventId } from '../../activities/booking-activities.js';
import { bookingCreatedMessage, bookingStatusUpdatedMessage } from '../../domain/messages.js';
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
    const noEventId = parseMessage(Buffer.from(JSON.stringify(seedCreated)), bookingCreatedMessage);
    expect(noEventId.ok ? '' : noEventId.detail).toContain('eventId');
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
});
