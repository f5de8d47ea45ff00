/**
 * A traveler asks for a stay. The API validates and prices it, then starts the booking's saga
 * with update-with-start and waits on the `awaitNightsHeld` update, so the answer (201 with the
 * PENDING booking, or 409 when a night is taken) comes from the saga itself, without polling.
 */
import { createHash } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  type Client,
} from '@temporalio/client';
import { bookingWorkflowId } from '../domain/ids.js';
import { priceStay, type BookingPolicy, type StayDates } from '../domain/stay.js';
import { findBookingById } from '../db/bookings.js';
import { claimIdempotencyKey } from '../db/idempotency-keys.js';
import { newObjectIdHex } from '../db/ids.js';
import {
  claimPendingRequestSlots,
  releasePendingRequestSlots,
} from '../db/pending-request-slots.js';
import { findUserById } from '../db/users.js';
import type { bookingWorkflow } from '../workflows/booking.js';
import {
  BOOKING_WORKFLOW_TYPE,
  bookingStatusQuery,
  nightsHeldUpdate,
  type BookingSagaInput,
  type NightsHoldOutcome,
} from '../workflows/booking-definitions.js';
import type { AuthUser } from './accounts.js';
import { DomainError } from '../domain/errors.js';
import { findBookableProperty, type StayRequest } from './bookable-stay.js';
import { bookingView } from './booking-views.js';

export interface BookingRequestDeps {
  temporal: Client;
  taskQueue: string;
  ownerDecisionTimeoutMs: number;
  policy: BookingPolicy;
}

export async function requestStay(
  deps: BookingRequestDeps,
  traveler: AuthUser,
  request: StayRequest,
  idempotencyKey?: string,
) {
  const dates: StayDates = { checkIn: request.checkIn, checkOut: request.checkOut };
  const property = await findBookableProperty(deps.policy, request, new Date());

  const travelerName = (await findUserById(traveler.id))?.name;
  if (!travelerName) throw new DomainError('unauthenticated', 'This account no longer exists');
  const { bookingId, replayed } = await claimBookingId(traveler, request, idempotencyKey);
  const input: BookingSagaInput = {
    bookingId,
    propertyId: request.propertyId,
    propertyName: property.name,
    ownerId: property.ownerId.toString(),
    travelerId: traveler.id,
    travelerName,
    checkIn: request.checkIn.toISOString(),
    checkOut: request.checkOut.toISOString(),
    guests: request.guests,
    price: priceStay(property, dates),
    ownerDecisionTimeoutMs: deps.ownerDecisionTimeoutMs,
  };
  // A replay joins the first request's saga, which took the slots already.
  const outcome = replayed ? await startSaga(deps, input) : await startCappedSaga(deps, input);
  if (!outcome.held) {
    throw new DomainError('dates_unavailable', 'Some of these nights are already booked', {
      conflictingNights: outcome.conflictingNights,
    });
  }
  const booking = await findBookingById(bookingId);
  if (!booking) throw new Error(`booking ${bookingId} was held but not recorded`);
  return { booking: bookingView(booking), replayed };
}

/**
 * Starts the saga holding one of the traveler's pending-request slots overall and one for this
 * listing (409 `too_many_pending_requests` when either cap is reached). The booking gives them
 * back when it leaves PENDING; a request that holds no nights gives them back here.
 */
async function startCappedSaga(
  deps: BookingRequestDeps,
  input: BookingSagaInput,
): Promise<NightsHoldOutcome> {
  const claim = await claimPendingRequestSlots(input, {
    maxPerTraveler: deps.policy.maxPendingPerTraveler,
    maxPerProperty: deps.policy.maxPendingPerProperty,
  });
  if (!claim.claimed) {
    const where = claim.scope === 'property' ? 'for this property' : 'in all';
    throw new DomainError(
      'too_many_pending_requests',
      `You already have ${claim.limit} pending booking requests ${where}; wait for an answer or cancel one`,
      { scope: claim.scope, limit: claim.limit },
    );
  }
  let outcome: NightsHoldOutcome | undefined;
  try {
    outcome = await startSaga(deps, { ...input, pendingRequestSlots: claim.slots });
    return outcome;
  } finally {
    // Nights taken (so no booking), or no answer from Temporal: the slots go back now. Should
    // the saga have started after all, its booking holds no slot, and the caps count one less.
    if (!outcome?.held) await releasePendingRequestSlots(input.bookingId, claim.slots);
  }
}

/**
 * Without a key every request is a new booking. With one, the first request claims a booking
 * id for (traveler, key) in the database; concurrent and later retries get the same id, and so
 * the same workflow. Reusing a key for a different stay is refused.
 */
async function claimBookingId(traveler: AuthUser, request: StayRequest, key?: string) {
  const bookingId = newObjectIdHex();
  if (!key) return { bookingId, replayed: false };
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([request.propertyId, request.checkIn, request.checkOut, request.guests]))
    .digest('hex');
  const claim = await claimIdempotencyKey(`${traveler.id}:${key}`, bookingId, fingerprint);
  if (claim.first) return { bookingId, replayed: false };
  if (claim.fingerprint !== fingerprint) {
    throw new DomainError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different booking request',
    );
  }
  return { bookingId: claim.bookingId, replayed: true };
}

async function startSaga(
  deps: BookingRequestDeps,
  input: BookingSagaInput,
): Promise<NightsHoldOutcome> {
  const workflowId = bookingWorkflowId(input.bookingId);
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof bookingWorkflow>(
    BOOKING_WORKFLOW_TYPE,
    {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      // A retry of the same booking joins the running saga instead of starting a second one...
      workflowIdConflictPolicy: 'USE_EXISTING',
      // ...and never restarts one that already finished.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // Shown in the Temporal UI next to the workflow, so operators see which listing it is.
      memo: { propertyName: input.propertyName },
    },
  );
  try {
    return await deps.temporal.workflow.executeUpdateWithStart(nightsHeldUpdate, {
      startWorkflowOperation,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    // The saga already finished: answer from its final state.
    const state = await deps.temporal.workflow.getHandle(workflowId).query(bookingStatusQuery);
    if (state.status === 'UNAVAILABLE') return { held: false, conflictingNights: [] };
    return { held: true, status: state.status === 'HOLDING_NIGHTS' ? 'PENDING' : state.status };
  }
}
