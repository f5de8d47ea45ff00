/**
 * The live-events contract (domain/messages.ts `userEventMessage`, `receivedUserEvent`) and the
 * messages the producers build from it (kafka/live-events.ts), without a broker.
 */
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  bookingStatusEventId,
  notificationEventId,
  receivedUserEvent,
  userEventMessage,
} from '../../domain/messages.js';
import {
  bookingStatusEvents,
  liveEventOf,
  notificationEvent,
  userPartitioner,
} from '../../kafka/live-events.js';
import { parseMessage } from '../../kafka/validated-consumer.js';

const booking = {
  bookingId: '507f1f77bcf86cd799439011',
  propertyId: '507f1f77bcf86cd799439012',
  propertyName: 'Luxury Beach Villa',
  travelerId: '507f1f77bcf86cd799439013',
  ownerId: '507f1f77bcf86cd799439014',
};

describe('the live-events messages', () => {
  it('go to the owner alone for a new request, to both parties for every later status', () => {
    const pending = bookingStatusEvents({
      ...booking,
      status: 'PENDING',
      previousStatus: null,
      at: '2026-12-01T10:00:00.000Z',
    });
    expect(pending.map((m) => [m.userId, m.type === 'booking-status' && m.role])).toEqual([
      [booking.ownerId, 'owner'],
    ]);
    const accepted = bookingStatusEvents({
      ...booking,
      status: 'ACCEPTED',
      previousStatus: 'PENDING',
      at: '2026-12-01T10:30:00.000Z',
    });
    expect(accepted.map((m) => [m.userId, m.type === 'booking-status' && m.role])).toEqual([
      [booking.travelerId, 'traveler'],
      [booking.ownerId, 'owner'],
    ]);
    // One eventId per booking and status: a retried activity publishes the same event again.
    expect(new Set(accepted.map((m) => m.eventId))).toEqual(
      new Set([bookingStatusEventId(booking.bookingId, 'ACCEPTED')]),
    );
    for (const message of [...pending, ...accepted]) {
      expect(userEventMessage.parse(message)).toEqual(message);
      expect(message).not.toHaveProperty('travelerId');
    }
  });

  it('carry a stored notification as its recipient lists it', () => {
    const message = notificationEvent({
      id: '507f1f77bcf86cd799439020',
      userId: booking.travelerId,
      kind: 'booking-accepted',
      title: 'Booking accepted',
      body: 'Your stay at Luxury Beach Villa is now ACCEPTED.',
      bookingId: booking.bookingId,
      createdAt: '2026-12-01T10:30:00.020Z',
      read: false,
    });
    expect(userEventMessage.parse(message)).toEqual(message);
    expect(message.eventId).toBe(notificationEventId('507f1f77bcf86cd799439020'));
    const received = receivedUserEvent.parse(JSON.parse(JSON.stringify(message)));
    expect(liveEventOf(received)).toEqual({
      event: 'notification',
      data: {
        notification: {
          id: '507f1f77bcf86cd799439020',
          kind: 'booking-accepted',
          title: 'Booking accepted',
          body: 'Your stay at Luxury Beach Villa is now ACCEPTED.',
          bookingId: booking.bookingId,
          createdAt: '2026-12-01T10:30:00.020Z',
          read: false,
        },
      },
    });
  });

  it('are strict when sent and liberal when read, and become the SSE payload of the contract', () => {
    const [message] = bookingStatusEvents({
      ...booking,
      status: 'REJECTED',
      previousStatus: 'PENDING',
      at: '2026-12-01T10:30:00.000Z',
    });
    expect(() => userEventMessage.parse({ ...message, eventId: 'not-a-uuid' })).toThrow();
    expect(() => userEventMessage.parse({ ...message, at: '2026-12-01T11:30:00+01:00' })).toThrow();
    const peer = {
      ...message,
      eventId: 'booking:42:REJECTED',
      version: undefined,
      bookingId: booking.bookingId.toUpperCase(),
      at: '2026-12-01T11:30:00+01:00',
      previousStatus: undefined,
      extra: 'ignored',
    };
    const parsed = parseMessage(Buffer.from(JSON.stringify(peer)), receivedUserEvent);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(liveEventOf(parsed.value)).toEqual({
      event: 'booking-status',
      data: {
        bookingId: booking.bookingId,
        propertyId: booking.propertyId,
        propertyName: booking.propertyName,
        status: 'REJECTED',
        previousStatus: null,
        at: '2026-12-01T10:30:00.000Z',
        role: 'traveler',
      },
    });
  });

  it('that cannot be read say why (the consumer skips them with that reason)', () => {
    const reasons = ['{"type":', '{"type":"booking-status"}', '{"type":"gossip","userId":"x"}'].map(
      (text) => {
        const parsed = parseMessage(Buffer.from(text), receivedUserEvent);
        return parsed.ok ? 'ok' : parsed.reason;
      },
    );
    expect(reasons).toEqual(['malformed-json', 'schema-violation', 'schema-violation']);
    const later = parseMessage(
      Buffer.from('{"type":"notification","version":2}'),
      receivedUserEvent,
    );
    expect(later.ok ? 'ok' : later.reason).toBe('unsupported-version');
  });
});

describe("a user's partition", () => {
  it("is the producer's default partitioner's choice for the userId key", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
      partitionErrorCode: 0,
    }));
    const ofUser = userPartitioner(3);
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const userId = `507f1f77bcf86cd7994390${String(i).padStart(2, '0')}`;
      const expected = partitioner({
        topic: 'user-events',
        partitionMetadata,
        message: { key: userId, value: '{}' },
      });
      expect(ofUser(userId), userId).toBe(expected);
      seen.add(expected);
    }
    expect(seen.size).toBe(3);
  });
});
