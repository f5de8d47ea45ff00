/**
 * Owner decisions survive a Temporal outage: the API still accepts them (it only needs Mongo
 * and Kafka), the bridge cannot signal, backs off and retries the same message without
 * skipping, committing or dead-lettering it, and once the dev server is back on the same
 * database file every decision is applied, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Booking, NightHold } from '../../db/models.js';
import { bookingWorkflowId } from '../../domain/ids.js';
import { recordHistoryFixture } from '../support/history-fixtures.js';
import { BRIDGE_GROUP_ID } from '../../processes/booking-updates-bridge.js';
import { bookingStatusQuery } from '../../workflows/booking-definitions.js';
import { eventually } from '../support/eventually.js';
import {
  daysFromNow,
  log,
  seconds,
  sleep,
  startPrivateStack,
  type PrivateStack,
} from '../support/private-stack.js';

let stack: PrivateStack;

beforeAll(async () => {
  stack = await startPrivateStack();
});

afterAll(async () => {
  await stack?.stop();
});

const committed = async () =>
  Object.values(await stack.committedOffsets(BRIDGE_GROUP_ID, 'booking-updates')).reduce(
    (sum, offset) => sum + Math.max(0, offset),
    0,
  );

describe('the Temporal server stopped while owner decisions arrive', () => {
  it('applies every decision once Temporal is back, without skipping or dead-lettering', async () => {
    const t0 = Date.now();
    const [system, bridge] = await Promise.all([
      stack.startComponents(['api', 'worker', 'notifier']),
      stack.startComponents(['bridge']),
    ]);
    const owner = await stack.api.signUp('owner');
    const traveler = await stack.api.signUp('traveler');
    const property = await stack.api.createProperty(owner);
    const toApprove = await stack.api.requestBooking(traveler, {
      propertyId: property.id,
      checkIn: daysFromNow(15),
      checkOut: daysFromNow(18),
    });
    const toReject = await stack.api.requestBooking(traveler, {
      propertyId: property.id,
      checkIn: daysFromNow(25),
      checkOut: daysFromNow(27),
    });

    await stack.stopTemporal();
    const downAt = Date.now();
    const approved = await stack.api.decide(owner, toApprove, 'approve');
    const rejected = await stack.api.decide(owner, toReject, 'reject');
    // The bridge tries, fails and backs off; it keeps the messages (no commit, no DLT).
    await bridge.waitForOutput(/WARN\s+transient failure, retrying topic=booking-updates/, 60_000);
    await sleep(3_000);
    expect(await committed()).toBe(0);
    expect(bridge.output()).not.toMatch(/dead-lettered/);
    for (const id of [toApprove, toReject]) {
      expect((await Booking.findById(id).lean())?.status).toBe('PENDING');
    }

    await stack.startTemporal();
    const backAt = Date.now();
    log(`Temporal was down for ${seconds(downAt)}s`);
    await eventually(
      async () => {
        expect((await Booking.findById(toApprove).lean())?.status).toBe('ACCEPTED');
        expect((await Booking.findById(toReject).lean())?.status).toBe('REJECTED');
      },
      { timeoutMs: 150_000, intervalMs: 500 },
    );
    log(`both decisions applied ${seconds(backAt)}s after Temporal was back`);

    for (const [id, outcome, eventId] of [
      [toApprove, 'ACCEPTED', approved],
      [toReject, 'REJECTED', rejected],
    ] as const) {
      const booking = await Booking.findById(id).lean();
      expect(booking?.history.map((h) => h.to)).toEqual(['PENDING', outcome]);
      expect(booking?.history[1]?.eventId).toBe(eventId);
      const state = await stack.temporal.workflow
        .getHandle(bookingWorkflowId(id))
        .query(bookingStatusQuery);
      expect(state.transitions.map((t) => t.to)).toEqual(['PENDING', outcome]);
    }
    expect(await NightHold.countDocuments({ bookingId: toApprove })).toBe(3);
    expect(await NightHold.countDocuments({ bookingId: toReject })).toBe(0);
    await recordHistoryFixture(
      stack.temporal,
      bookingWorkflowId(toReject),
      'fault-temporal-outage-rejected',
    );

    // Both offsets committed after the signals went through; nothing dead-lettered.
    await eventually(async () => expect(await committed()).toBe(2));
    const deadLetters = await stack.readTopic('booking-updates.DLT');
    expect(deadLetters.filter((m) => m.key === toApprove || m.key === toReject)).toEqual([]);
    expect(bridge.output()).not.toMatch(/dead-lettered/);
    expect(bridge.hasExited()).toBe(false);
    expect(system.hasExited()).toBe(false);
    log(`test took ${seconds(t0)}s`);
  });
});
