/**
 * At-least-once consumption, effectively-once effect: the booking-updates bridge signals the
 * saga and dies (SIGKILL) before committing the decision's offset. The restarted bridge gets
 * the same decision again and signals again; the saga applies it once and records the repeat
 * as an ignored duplicate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Booking, Notification } from '../../db/models.js';
import { bookingWorkflowId } from '../../domain/ids.js';
import { BRIDGE_GROUP_ID } from '../../processes/booking-updates-bridge.js';
import { bookingStatusQuery } from '../../workflows/booking-definitions.js';
import { eventually } from '../support/eventually.js';
import {
  daysFromNow,
  log,
  seconds,
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

describe('the booking-updates bridge killed after signalling, before committing', () => {
  it('is redelivered the decision on restart, and the booking is ACCEPTED exactly once', async () => {
    const t0 = Date.now();
    const [, dyingBridge] = await Promise.all([
      stack.startComponents(['api', 'worker', 'notifier']),
      stack.startComponents(['bridge'], {
        label: 'bridge-killed-before-commit',
        env: { STAYSAGA_FAULT_KILL_BEFORE_COMMIT: 'booking-updates' },
      }),
    ]);
    const owner = await stack.api.signUp('owner');
    const traveler = await stack.api.signUp('traveler');
    const property = await stack.api.createProperty(owner);
    const bookingId = await stack.api.requestBooking(traveler, {
      propertyId: property.id,
      checkIn: daysFromNow(30),
      checkOut: daysFromNow(33),
    });

    const eventId = await stack.api.decide(owner, bookingId, 'approve');
    const death = await dyingBridge.exited;
    log(`bridge died ${seconds(t0)}s into the test: ${JSON.stringify(death)}`);
    expect(death.signal).toBe('SIGKILL');
    // It did signal the saga before dying...
    expect(dyingBridge.output()).toMatch(
      new RegExp(`signalled bookingId=${bookingId} status=ACCEPTED`),
    );
    // ...and never committed the decision's offset.
    const before = await stack.committedOffsets(BRIDGE_GROUP_ID, 'booking-updates');
    expect(Object.values(before).every((offset) => offset <= 0)).toBe(true);

    const restartedAt = Date.now();
    const bridge = await stack.startComponents(['bridge'], { label: 'bridge-restarted' });
    const handle = stack.temporal.workflow.getHandle(bookingWorkflowId(bookingId));
    const state = await eventually(
      async () => {
        const s = await handle.query(bookingStatusQuery);
        expect(s.ignoredDecisions).toHaveLength(1);
        return s;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    log(`redelivered decision seen by the saga ${seconds(restartedAt)}s after the restart`);

    // The saga: one ACCEPTED transition, the redelivery recorded as an ignored duplicate.
    expect(state.status).toBe('ACCEPTED');
    expect(state.transitions.map((t) => t.to)).toEqual(['PENDING', 'ACCEPTED']);
    expect(state.transitions[1]?.eventId).toBe(eventId);
    expect(state.ignoredDecisions[0]).toMatchObject({
      eventId,
      status: 'ACCEPTED',
      statusAtReceipt: 'ACCEPTED',
      ignoreReason: 'duplicate',
    });
    // The restarted bridge signalled the same message again, and this time committed it.
    expect(bridge.output()).toMatch(new RegExp(`signalled bookingId=${bookingId} status=ACCEPTED`));
    await eventually(async () => {
      const after = await stack.committedOffsets(BRIDGE_GROUP_ID, 'booking-updates');
      expect(Object.values(after).filter((offset) => offset === 1)).toHaveLength(1);
    });

    // Mongo: ACCEPTED with exactly one ACCEPTED history entry, the duplicate kept aside.
    await eventually(async () => {
      const booking = await Booking.findById(bookingId).lean();
      expect(booking?.status).toBe('ACCEPTED');
      expect(booking?.history.map((h) => h.to)).toEqual(['PENDING', 'ACCEPTED']);
      expect(booking?.ignoredDecisions).toEqual([
        expect.objectContaining({ eventId, ignoreReason: 'duplicate' }),
      ]);
    });
    const accepted = await Notification.countDocuments({
      userId: traveler.id,
      bookingId,
      kind: 'booking-accepted',
    });
    expect(accepted).toBe(1);
    const deadLetters = await stack.readTopic('booking-updates.DLT');
    expect(deadLetters.filter((m) => m.key === bookingId)).toEqual([]);
    log(`test took ${seconds(t0)}s`);
  });
});
