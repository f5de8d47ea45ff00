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
import mongoose from 'mongoose';
import { bookingWorkflowId } from '../domain/ids.js';
import { priceStay, stayProblem, type StayDates } from '../domain/stay.js';
import { isDuplicateKeyError } from '../db/connection.js';
import { Booking, IdempotencyKey, Property, User } from '../db/models.js';
import type { bookingWorkflow } from '../workflows/booking.js';
import {
  bookingStatusQuery,
  nightsHeldUpdate,
  type BookingSagaInput,
  type NightsHoldOutcome,
} from '../workflows/booking-definitions.js';
import type { AuthUser } from './accounts.js';
import { ApiError, notFound } from './errors.js';
import { bookingView } from './booking-views.js';

export interface BookingRequestDeps {
  temporal: Client;
  taskQueue: string;
  ownerDecisionTimeoutMs: number;
}

export interface StayRequest {
  propertyId: string;
  checkIn: Date;
  checkOut: Date;
  guests: number;
}

const STAY_PROBLEM_MESSAGES = {
  'check-in-not-midnight-utc': 'checkIn and checkOut must be dates (YYYY-MM-DD or UTC midnight)',
  'check-out-not-after-check-in': 'checkOut must be after checkIn',
  'check-in-in-the-past': 'checkIn must not be in the past',
  'stay-too-long': 'A stay may be at most 90 nights',
} as const;

export async function requestStay(
  deps: BookingRequestDeps,
  traveler: AuthUser,
  request: StayRequest,
  idempotencyKey?: string,
) {
  const dates: StayDates = { checkIn: request.checkIn, checkOut: request.checkOut };
  const problem = stayProblem(dates, new Date());
  if (problem) throw new ApiError(422, 'invalid_stay', STAY_PROBLEM_MESSAGES[problem]);

  const property = await Property.findById(request.propertyId).lean();
  if (!property) throw notFound('Property');
  if (!property.available) {
    throw new ApiError(409, 'property_unavailable', 'This property is not taking bookings');
  }
  if (request.guests > property.maxGuests) {
    throw new ApiError(
      422,
      'too_many_guests',
      `This property sleeps at most ${property.maxGuests}`,
    );
  }

  const travelerName = (await User.findById(traveler.id).select({ name: 1 }).lean())?.name;
  if (!travelerName) throw new ApiError(401, 'unauthenticated', 'This account no longer exists');
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
  const outcome = await startSaga(deps, input);
  if (!outcome.held) {
    throw new ApiError(409, 'dates_unavailable', 'Some of these nights are already booked', {
      conflictingNights: outcome.conflictingNights,
    });
  }
  const booking = await Booking.findById(bookingId).lean();
  if (!booking) throw new Error(`booking ${bookingId} was held but not recorded`);
  return { booking: bookingView(booking), replayed };
}

/**
 * Without a key every request is a new booking. With one, the first request claims a booking
 * id for (traveler, key) in the database; concurrent and later retries get the same id, and so
 * the same workflow. Reusing a key for a different stay is refused.
 */
async function claimBookingId(traveler: AuthUser, request: StayRequest, key?: string) {
  const bookingId = new mongoose.Types.ObjectId();
  if (!key) return { bookingId: bookingId.toString(), replayed: false };
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([request.propertyId, request.checkIn, request.checkOut, request.guests]))
    .digest('hex');
  const _id = `${traveler.id}:${key}`;
  try {
    await IdempotencyKey.create({ _id, bookingId, fingerprint });
    return { bookingId: bookingId.toString(), replayed: false };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  const existing = await IdempotencyKey.findById(_id).lean();
  if (!existing) throw new Error(`idempotency key ${_id} vanished`);
  if (existing.fingerprint !== fingerprint) {
    throw new ApiError(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different booking request',
    );
  }
  return { bookingId: existing.bookingId.toString(), replayed: true };
}

async function startSaga(
  deps: BookingRequestDeps,
  input: BookingSagaInput,
): Promise<NightsHoldOutcome> {
  const workflowId = bookingWorkflowId(input.bookingId);
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof bookingWorkflow>(
    'bookingWorkflow',
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
