/**
 * One durable saga per booking. It holds the nights, records the booking PENDING, tells the
 * owner side through Kafka, then waits for a decision until the owner deadline. Every path that
 * ends the stay early gives the nights back (compensation). The workflow is the only place a
 * booking's status changes; callers only send it decisions.
 */
import {
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import {
  canTransition,
  DECISION_STATUSES,
  releasesNights,
  type BookingStatus,
} from '../domain/booking-status.js';
import {
  decisionPermitted,
  type IgnoreReason,
  type TransitionRecord,
} from '../domain/booking-history.js';
import { ownerDecisionDeadline } from '../domain/owner-deadline.js';
import {
  bookingStatusQuery,
  decideBookingSignal,
  nightsHeldUpdate,
  searchAttributes,
  type BookingActivities,
  type BookingDecision,
  type BookingSagaInput,
  type BookingSagaState,
  type NightsHoldOutcome,
} from './booking-definitions.js';

// Mongo or Kafka being down is transient: keep retrying rather than lose the booking.
const retry = { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' };
/** Activities dispatched through the task queue: publishing to Kafka, which may stall for long. */
const activities = proxyActivities<BookingActivities>({ startToCloseTimeout: '30 seconds', retry });
/**
 * The short Mongo writes run as local activities: in the worker that runs the workflow task,
 * recorded as one marker each, without a round trip through the task queue and three history
 * events per call. Like every activity they may run more than once, and they are idempotent.
 */
const localActivities = proxyLocalActivities<BookingActivities>({
  startToCloseTimeout: '10 seconds',
  retry,
});
/** Sagas started before this patch replay with their Mongo writes as task-queue activities. */
export const LOCAL_MONGO_WRITES_PATCH = 'local-mongo-writes';
/**
 * Sagas started before this patch ended UNAVAILABLE without a BookingStatus, so operators'
 * lists by owner or property showed them with an empty status.
 */
export const UNAVAILABLE_STATUS_PATCH = 'unavailable-status-attribute';

export async function bookingWorkflow(input: BookingSagaInput): Promise<BookingSagaState> {
  const saga = new BookingSaga(input);
  return saga.run();
}

class BookingSaga {
  private readonly state: BookingSagaState;
  private readonly inbox: BookingDecision[] = [];
  private readonly seenEventIds = new Set<string>();
  private holdOutcome: NightsHoldOutcome | undefined;
  /**
   * The short steps (Mongo writes, the in-app notification with its queued email): local
   * activities since the `local-mongo-writes` patch, task-queue activities before it.
   */
  private readonly shortSteps: BookingActivities;

  constructor(private readonly input: BookingSagaInput) {
    this.shortSteps = patched(LOCAL_MONGO_WRITES_PATCH) ? localActivities : activities;
    this.state = {
      bookingId: input.bookingId,
      status: 'HOLDING_NIGHTS',
      transitions: [],
      ignoredDecisions: [],
    };
    setHandler(bookingStatusQuery, () => this.state);
    setHandler(decideBookingSignal, (decision) => {
      this.inbox.push(decision);
    });
    setHandler(nightsHeldUpdate, async () => {
      await condition(() => this.holdOutcome !== undefined);
      return this.holdOutcome as NightsHoldOutcome;
    });
    upsertSearchAttributes([
      { key: searchAttributes.propertyId, value: input.propertyId },
      { key: searchAttributes.ownerId, value: input.ownerId },
      { key: searchAttributes.travelerId, value: input.travelerId },
      { key: searchAttributes.checkIn, value: new Date(input.checkIn) },
    ]);
  }

  async run(): Promise<BookingSagaState> {
    if (await this.holdNights()) {
      await this.awaitOwnerDecision();
      if (this.state.status === 'ACCEPTED') await this.awaitStay();
      await this.drainInbox();
    }
    // Let the request that is waiting on `awaitNightsHeld` get its answer before we close.
    await condition(allHandlersFinished);
    return this.state;
  }

  /** Holds every night or none; answers the waiting booking request either way. */
  private async holdNights(): Promise<boolean> {
    const { bookingId, propertyId, checkIn, checkOut } = this.input;
    const hold = await this.shortSteps.holdNights({ bookingId, propertyId, checkIn, checkOut });
    if (!hold.held) {
      this.state.status = 'UNAVAILABLE';
      if (patched(UNAVAILABLE_STATUS_PATCH)) {
        upsertSearchAttributes([{ key: searchAttributes.bookingStatus, value: 'UNAVAILABLE' }]);
      }
      this.holdOutcome = hold;
      return false;
    }
    const requestedAt = new Date();
    const deadline = ownerDecisionDeadline(
      requestedAt,
      this.input.ownerDecisionTimeoutMs,
      new Date(checkIn),
    );
    this.state.ownerDecisionDeadline = deadline.toISOString();
    const transition = this.applyLocally({
      from: null,
      to: 'PENDING',
      at: requestedAt.toISOString(),
      actor: { role: 'traveler', userId: this.input.travelerId },
      source: { kind: 'api' },
    });
    await this.shortSteps.recordPendingBooking({
      ...this.input,
      ownerDecisionDeadline: this.state.ownerDecisionDeadline,
      transition,
    });
    this.holdOutcome = { held: true, status: 'PENDING' };
    await activities.publishBookingCreated({ ...this.input, requestedAt: transition.at });
    await this.notifyTraveler(transition);
    return true;
  }

  private async awaitOwnerDecision(): Promise<void> {
    const deadline = new Date(this.state.ownerDecisionDeadline as string);
    const decision = await this.nextApplicableDecision(deadline);
    if (decision) {
      await this.transition({
        from: 'PENDING',
        to: decision.status,
        at: new Date().toISOString(),
        actor: decision.actor,
        reason: decision.reason,
        eventId: decision.eventId,
        source: decision.source,
      });
      return;
    }
    await this.transition({
      from: 'PENDING',
      to: 'EXPIRED',
      at: new Date().toISOString(),
      actor: { role: 'system' },
      reason: 'The owner did not decide before the deadline.',
      source: { kind: 'timer' },
    });
  }

  /** An accepted stay can be cancelled until check-in and completes at check-out. */
  private async awaitStay(): Promise<void> {
    const cancellation = await this.nextApplicableDecision(new Date(this.input.checkIn));
    if (cancellation) {
      await this.transition({
        from: 'ACCEPTED',
        to: cancellation.status,
        at: new Date().toISOString(),
        actor: cancellation.actor,
        reason: cancellation.reason,
        eventId: cancellation.eventId,
        source: cancellation.source,
      });
      return;
    }
    await this.ignoreDecisionsUntil(new Date(this.input.checkOut), 'too-late');
    await this.transition({
      from: 'ACCEPTED',
      to: 'COMPLETED',
      at: new Date().toISOString(),
      actor: { role: 'system' },
      reason: 'The stay ended.',
      source: { kind: 'timer' },
    });
  }

  /** Waits for the next decision that may be applied now, recording every other one. */
  private async nextApplicableDecision(until: Date): Promise<BookingDecision | null> {
    for (;;) {
      const remainingMs = until.getTime() - Date.now();
      if (remainingMs <= 0) return null;
      if (!(await condition(() => this.inbox.length > 0, remainingMs))) return null;
      const decision = this.inbox.shift() as BookingDecision;
      const ignoreReason = this.whyIgnore(decision);
      if (!ignoreReason) return decision;
      await this.recordIgnored(decision, ignoreReason);
    }
  }

  private async ignoreDecisionsUntil(until: Date, reason: IgnoreReason): Promise<void> {
    for (;;) {
      const remainingMs = until.getTime() - Date.now();
      if (remainingMs <= 0) return;
      if (!(await condition(() => this.inbox.length > 0, remainingMs))) return;
      await this.recordIgnored(this.inbox.shift() as BookingDecision, reason);
    }
  }

  /** Decisions that arrived while the last step ran are recorded, never silently dropped. */
  private async drainInbox(): Promise<void> {
    while (this.inbox.length > 0) {
      const decision = this.inbox.shift() as BookingDecision;
      await this.recordIgnored(decision, this.whyIgnore(decision) ?? 'invalid-transition');
    }
  }

  private whyIgnore(decision: BookingDecision): IgnoreReason | null {
    if (this.seenEventIds.has(decision.eventId)) return 'duplicate';
    this.seenEventIds.add(decision.eventId);
    if (!DECISION_STATUSES.includes(decision.status)) return 'invalid-transition';
    if (!decisionPermitted(decision.actor, decision.status, this.input)) return 'not-permitted';
    const current = this.state.status as BookingStatus;
    if (!canTransition(current, decision.status)) return 'invalid-transition';
    return null;
  }

  private async recordIgnored(decision: BookingDecision, ignoreReason: IgnoreReason) {
    const ignored = {
      eventId: decision.eventId,
      status: decision.status,
      actor: decision.actor,
      receivedAt: new Date().toISOString(),
      statusAtReceipt: this.state.status as BookingStatus,
      ignoreReason,
      source: decision.source,
    };
    this.state.ignoredDecisions.push(ignored);
    await this.shortSteps.recordIgnoredDecision({ bookingId: this.input.bookingId, ignored });
  }

  private async transition(transition: TransitionRecord): Promise<void> {
    // Compensation first: once the status says the stay is off, its nights are already free.
    if (releasesNights(transition.to)) {
      const { bookingId, propertyId, checkIn, checkOut } = this.input;
      await this.shortSteps.releaseNights({ bookingId, propertyId, checkIn, checkOut });
    }
    this.applyLocally(transition);
    const slots = transition.from === 'PENDING' ? this.input.pendingRequestSlots : undefined;
    await this.shortSteps.recordTransition({
      bookingId: this.input.bookingId,
      transition,
      ...(slots ? { releaseSlots: slots } : {}),
    });
    await this.notifyTraveler(transition);
  }

  private applyLocally(transition: TransitionRecord): TransitionRecord {
    this.state.status = transition.to;
    this.state.transitions.push(transition);
    upsertSearchAttributes([{ key: searchAttributes.bookingStatus, value: transition.to }]);
    return transition;
  }

  private async notifyTraveler(transition: TransitionRecord): Promise<void> {
    await this.shortSteps.notifyTraveler({
      bookingId: this.input.bookingId,
      travelerId: this.input.travelerId,
      propertyName: this.input.propertyName,
      transition,
    });
  }
}
