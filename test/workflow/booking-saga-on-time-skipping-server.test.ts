/**
 * The saga's timers and decision rules on Temporal's time-skipping test server: a 24 h owner
 * deadline, a check-out weeks away and cancellations before check-in, proven without waiting.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingWorkflowId } from '../../domain/ids.js';
import { ensureTemporalBinaries } from '../../stack/temporal.js';
import { registerBookingSearchAttributes } from '../../temporal/search-attributes.js';
import type { bookingWorkflow } from '../../workflows/booking.js';
import {
  BOOKING_WORKFLOW_TYPE,
  bookingStatusQuery,
  decideBookingSignal,
  nightsHeldUpdate,
  searchAttributes,
  type BookingDecision,
  type BookingSagaInput,
} from '../../workflows/booking-definitions.js';
import { WORKFLOWS_PATH, workflowBundlerOptions } from '../../processes/booking-worker.js';
import { fakeBookingActivities } from '../support/fake-booking-activities.js';
import { recordHistoryFixture } from '../support/history-fixtures.js';

const DAY = 24 * 60 * 60 * 1000;
const OWNER = '64b000000000000000000001';
const TRAVELER = '64b000000000000000000002';
const TAKEN_PROPERTY = '64b0000000000000000000ff';
const TASK_QUEUE = 'saga-tests';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const fakes = fakeBookingActivities({ takenPropertyIds: [TAKEN_PROPERTY] });

beforeAll(async () => {
  const { testServer } = await ensureTemporalBinaries();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServer } },
  });
  await registerBookingSearchAttributes(env.connection, 'default');
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: WORKFLOWS_PATH,
    bundlerOptions: workflowBundlerOptions,
    activities: fakes.activities,
  });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

let counter = 0;
/** A stay 30 days ahead of the test server's clock, which jumps forward between tests. */
async function sagaInput(overrides: Partial<BookingSagaInput> = {}): Promise<BookingSagaInput> {
  counter += 1;
  const now = await env.currentTimeMs();
  const checkIn = new Date(Math.floor(now / DAY) * DAY + 30 * DAY);
  return {
    bookingId: `64c${String(counter).padStart(21, '0')}`,
    propertyId: '64b000000000000000000003',
    propertyName: 'Seaside Cabin',
    ownerId: OWNER,
    travelerId: TRAVELER,
    travelerName: 'Tom Traveler',
    checkIn: checkIn.toISOString(),
    checkOut: new Date(checkIn.getTime() + 3 * DAY).toISOString(),
    guests: 2,
    price: {
      nights: 3,
      pricePerNight: 100,
      subtotal: 300,
      cleaningFee: 20,
      serviceFee: 10,
      totalPrice: 330,
    },
    ownerDecisionTimeoutMs: DAY,
    ...overrides,
  };
}

function decision(
  status: BookingDecision['status'],
  actor: BookingDecision['actor'],
): BookingDecision {
  return {
    eventId: randomUUID(),
    status,
    actor,
    decidedAt: new Date().toISOString(),
    source: { kind: 'api' },
    reason: `${status} in a test`,
  };
}

async function startSaga(input: BookingSagaInput) {
  const handle = await env.client.workflow.start<typeof bookingWorkflow>(BOOKING_WORKFLOW_TYPE, {
    workflowId: bookingWorkflowId(input.bookingId),
    taskQueue: TASK_QUEUE,
    args: [input],
  });
  const hold = await handle.executeUpdate(nightsHeldUpdate);
  return { handle, hold };
}

const owner = { role: 'owner' as const, userId: OWNER };
const traveler = { role: 'traveler' as const, userId: TRAVELER };
const namesFor = (bookingId: string) => fakes.callsFor(bookingId).map((c) => c.name);

describe('the booking saga', () => {
  it('expires a booking nobody decided on after the 24 h owner deadline and releases its nights', async () => {
    const input = await sagaInput();
    const { handle, hold } = await startSaga(input);
    expect(hold).toEqual({ held: true, status: 'PENDING' });
    const final = await handle.result();
    expect(final.status).toBe('EXPIRED');
    // Measured on the workflow's own clock: the test server's clock leaps ahead once idle.
    const [pending, expired] = final.transitions.map((t) => new Date(t.at).getTime());
    expect(expired! - pending!).toBeGreaterThanOrEqual(DAY);
    expect(expired! - pending!).toBeLessThan(DAY + 60_000);
    expect(final.transitions.map((t) => t.to)).toEqual(['PENDING', 'EXPIRED']);
    expect(final.transitions[1]).toMatchObject({
      actor: { role: 'system' },
      source: { kind: 'timer' },
    });
    expect(namesFor(input.bookingId)).toEqual([
      'holdNights',
      'recordPendingBooking',
      'publishBookingCreated',
      'notifyTraveler',
      'releaseNights',
      'recordTransition',
      'notifyTraveler',
    ]);
    await recordHistoryFixture(env.client, handle.workflowId, 'saga-expired-after-24h');
  });

  it('accepts on the owner decision and completes at check-out, then frees the past nights', async () => {
    const input = await sagaInput();
    const { handle } = await startSaga(input);
    await env.sleep('2 hours');
    await handle.signal(decideBookingSignal, decision('ACCEPTED', owner));
    const final = await handle.result();
    expect(final.transitions.map((t) => t.to)).toEqual(['PENDING', 'ACCEPTED', 'COMPLETED']);
    expect(new Date(final.transitions[2]!.at).getTime()).toBeGreaterThanOrEqual(
      new Date(input.checkOut).getTime(),
    );
    // Held through the stay, freed only once it is over.
    expect(namesFor(input.bookingId).slice(-3)).toEqual([
      'releaseNights',
      'recordTransition',
      'notifyTraveler',
    ]);
    await recordHistoryFixture(env.client, handle.workflowId, 'saga-accepted-then-completed');
  });

  it('rejects on the owner decision and releases the nights', async () => {
    const input = await sagaInput();
    const { handle } = await startSaga(input);
    await handle.signal(decideBookingSignal, decision('REJECTED', owner));
    const final = await handle.result();
    expect(final.status).toBe('REJECTED');
    expect(final.transitions[1]).toMatchObject({
      to: 'REJECTED',
      actor: owner,
      reason: 'REJECTED in a test',
    });
    expect(namesFor(input.bookingId)).toContain('releaseNights');
    await recordHistoryFixture(env.client, handle.workflowId, 'saga-rejected');
  });

  it('lets the owner cancel a pending booking, releasing the nights', async () => {
    const input = await sagaInput();
    const { handle } = await startSaga(input);
    await handle.signal(decideBookingSignal, decision('CANCELLED', owner));
    const final = await handle.result();
    expect(final.transitions.map((t) => t.to)).toEqual(['PENDING', 'CANCELLED']);
    expect(final.transitions[1]).toMatchObject({ actor: owner });
    expect(namesFor(input.bookingId)).toContain('releaseNights');
    await recordHistoryFixture(env.client, handle.workflowId, 'saga-pending-cancelled-by-owner');
  });

  it('ignores a cancellation that arrives after check-in and completes the stay', async () => {
    const input = await sagaInput();
    const { handle } = await startSaga(input);
    await handle.signal(decideBookingSignal, decision('ACCEPTED', owner));
    await env.sleep('31 days'); // past check-in (30 days ahead), before check-out
    await handle.signal(decideBookingSignal, decision('CANCELLED', traveler));
    const final = await handle.result();
    expect(final.transitions.map((t) => t.to)).toEqual(['PENDING', 'ACCEPTED', 'COMPLETED']);
    expect(final.ignoredDecisions.map((d) => d.ignoreReason)).toEqual(['too-late']);
    expect(namesFor(input.bookingId).filter((n) => n === 'releaseNights')).toHaveLength(1);
    await recordHistoryFixture(env.client, handle.workflowId, 'saga-late-cancellation-ignored');
  });

  it('lets the traveler cancel an accepted stay before check-in, releasing the nights', async () => {
    const input = await sagaInput();
    const { handle } = await startSaga(input);
    await handle.signal(decideBookingSignal, decision('ACCEPTED', owner));
    await env.sleep('3 days');
    expect((await handle.query(bookingStatusQuery)).status).toBe('ACCEPTED');
    await handle.signal(decideBookingSignal, decision('CANCELLED', traveler));
    const final = await handle.result();
    expect(final.transitions.map((t) => t.to)).toEqual(['PENDING', 'ACCEPTED', 'CANCELLED']);
    expect(namesFor(input.bookingId).filter((n) => n === 'releaseNights')).toHaveLength(1);
    await recordHistoryFixture(
      env.client,
      handle.workflowId,
      'saga-accepted-then-cancelled-by-traveler',
    );
  });

  it('applies a decision once, and records duplicates, strangers and impossible moves as ignored', async () => {
    const input = await sagaInput();
    const { handle } = await startSaga(input);
    const approve = decision('ACCEPTED', owner);
    await handle.signal(
      decideBookingSignal,
      decision('ACCEPTED', { role: 'owner', userId: TRAVELER }),
    );
    await handle.signal(decideBookingSignal, decision('ACCEPTED', traveler));
    for (let i = 0; i < 5; i++) await handle.signal(decideBookingSignal, approve);
    await handle.signal(decideBookingSignal, decision('REJECTED', owner));
    await env.sleep('1 hour');
    const state = await handle.query(bookingStatusQuery);
    expect(state.status).toBe('ACCEPTED');
    expect(state.transitions.filter((t) => t.to === 'ACCEPTED')).toHaveLength(1);
    expect(state.ignoredDecisions.map((d) => d.ignoreReason)).toEqual([
      'not-permitted',
      'not-permitted',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'invalid-transition',
    ]);
    await recordHistoryFixture(
      env.client,
      handle.workflowId,
      'saga-duplicates-and-strangers-ignored',
    );
    await handle.terminate('test done');
  });

  it('answers the booking request with the conflicting nights when they are taken, and records nothing', async () => {
    const input = await sagaInput({ propertyId: TAKEN_PROPERTY });
    const { handle, hold } = await startSaga(input);
    expect(hold).toEqual({ held: false, conflictingNights: [input.checkIn.slice(0, 10)] });
    expect((await handle.result()).status).toBe('UNAVAILABLE');
    // Operators listing a property's or an owner's sagas see why this one ended.
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(searchAttributes.bookingStatus)).toBe('UNAVAILABLE');
    // Only the hold ran. The test server fails the first workflow task of an update-with-start
    // (UNHANDLED_COMMAND) and the retried task runs the local activity again: local activities,
    // like all activities, may run more than once, which is why every one is idempotent.
    expect(new Set(namesFor(input.bookingId))).toEqual(new Set(['holdNights']));
    await recordHistoryFixture(env.client, handle.workflowId, 'saga-nights-unavailable');
  });
});
