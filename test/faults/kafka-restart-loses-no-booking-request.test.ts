/**
 * Kafka is not on the booking request's critical path, and nothing is lost when it goes away:
 * bookings keep being accepted (PENDING) while the broker is stopped, and the saga's publish
 * activity keeps retrying until every booking-created event is on booking-requests, once per
 * booking by eventId, and the owner notifier (which rides the same outage) tells each owner once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingCreatedEventId } from '../../domain/messages.js';
import { Booking, Notification } from '../../db/models.js';
import { bookingWorkflowId } from '../../domain/ids.js';
import { eventually } from '../support/eventually.js';
import {
  daysFromNow,
  log,
  seconds,
  sleep,
  startPrivateStack,
  type Actor,
  type PrivateStack,
} from '../support/private-stack.js';

let stack: PrivateStack;

beforeAll(async () => {
  stack = await startPrivateStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** When a booking's publishBookingCreated activity completed, and on which attempt. */
async function publishCompleted(bookingId: string) {
  const { events } = await stack.temporal.workflow
    .getHandle(bookingWorkflowId(bookingId))
    .fetchHistory();
  const all = events ?? [];
  const scheduled = all.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'publishBookingCreated',
  );
  const started = all.find(
    (e) =>
      String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
  );
  const completed = all.find(
    (e) =>
      String(e.activityTaskCompletedEventAttributes?.scheduledEventId) ===
      String(scheduled?.eventId),
  );
  if (!completed?.eventTime) throw new Error(`publish of ${bookingId} not completed yet`);
  const at =
    Number(String(completed.eventTime.seconds)) * 1000 + (completed.eventTime.nanos ?? 0) / 1e6;
  return { at, attempt: started?.activityTaskStartedEventAttributes?.attempt ?? 0 };
}

const BOOKINGS = 10;
const OUTAGE_MS = 5_000;

describe('the Kafka broker restarted while bookings are created', () => {
  it('accepts every booking and publishes every booking-created event exactly once by eventId', async () => {
    const t0 = Date.now();
    const system = await stack.startComponents(['api', 'worker', 'notifier']);
    const owner = await stack.api.signUp('owner');
    // One traveler per booking: a person may hold only a few pending requests at once.
    const travelers = await Promise.all(
      Array.from({ length: BOOKINGS }, () => stack.api.signUp('traveler')),
    );
    const property = await stack.api.createProperty(owner);

    const bookingIds: string[] = [];
    const answeredIn: number[] = [];
    let next = 0;
    const request = async () => {
      const i = next++;
      const traveler = travelers[i] as Actor;
      const started = Date.now();
      // Two nights each, none overlapping: every request must be held.
      const id = await stack.api.requestBooking(traveler, {
        propertyId: property.id,
        checkIn: daysFromNow(10 + 3 * i),
        checkOut: daysFromNow(12 + 3 * i),
      });
      answeredIn.push(Date.now() - started);
      bookingIds.push(id);
    };
    const batch = (n: number) => Promise.all(Array.from({ length: n }, () => request()));

    await batch(3); // Kafka up
    const stopping = stack.stopKafka();
    await batch(3); // while the broker shuts down
    await stopping;
    const downAt = Date.now();
    await batch(3); // while it is down
    const duringOutage = answeredIn.slice(-3);
    const requestedWhileDown = bookingIds.slice(-3);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    const restartingAt = Date.now();
    await stack.startKafka();
    log(`Kafka was down for ${seconds(downAt)}s`);
    await batch(BOOKINGS - 9); // after it is back
    log(`${BOOKINGS} bookings answered 201 in ms: ${answeredIn.join(', ')}`);
    expect(bookingIds).toHaveLength(BOOKINGS);
    // Holding the nights and recording PENDING need no Kafka: no request waited for the broker.
    expect(Math.max(...duringOutage)).toBeLessThan(10_000);

    // Every booking is PENDING in Mongo with one history entry.
    const bookings = await Booking.find({ _id: { $in: bookingIds } }).lean();
    expect(bookings).toHaveLength(BOOKINGS);
    for (const b of bookings) {
      expect(b.status).toBe('PENDING');
      expect(b.history.map((h) => h.to)).toEqual(['PENDING']);
    }

    // Every booking-created event reaches booking-requests; the owner hears of each one once.
    const recoveredAt = Date.now();
    await eventually(
      async () =>
        expect(
          await Notification.countDocuments({ userId: owner.id, kind: 'booking-requested' }),
        ).toBe(BOOKINGS),
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    log(`all owner notifications in ${seconds(recoveredAt)}s after Kafka was back`);
    const requests = await stack.readTopic('booking-requests');
    const copies = bookingIds.map((id) => requests.filter((m) => m.key === id));
    log(`booking-created copies per booking: ${copies.map((c) => c.length).join(', ')}`);
    for (const [i, id] of bookingIds.entries()) {
      const eventIds = new Set(copies[i]?.map((m) => m.value.eventId));
      expect(eventIds).toEqual(new Set([bookingCreatedEventId(id)]));
    }
    // The outage really was on the publish path: what was requested while the broker was down
    // was published only once it was back.
    for (const id of requestedWhileDown) {
      const publish = await publishCompleted(id);
      log(
        `publish of a booking requested during the outage: attempt ${publish.attempt}, ` +
          `completed ${((publish.at - restartingAt) / 1000).toFixed(1)}s after Kafka's restart began`,
      );
      expect(publish.at).toBeGreaterThan(restartingAt);
    }
    // No other message on the topic, and nothing dead-lettered.
    expect(requests.length).toBe(copies.flat().length);
    expect(await stack.readTopic('booking-requests.DLT')).toEqual([]);
    // One owner notification per booking (by its eventId), and the system never crashed.
    for (const id of bookingIds) {
      expect(await Notification.countDocuments({ bookingId: id, kind: 'booking-requested' })).toBe(
        1,
      );
    }
    expect(system.hasExited()).toBe(false);
    log(`test took ${seconds(t0)}s`);
  });
});
