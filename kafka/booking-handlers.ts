/**
 * What StaySaga does with each valid message of its two topics, shared by the live consumers
 * (processes/booking-updates-bridge.ts, processes/owner-notifier.ts) and `npm run ops -- replay`,
 * so a replay goes through exactly the live path.
 */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Logger } from '../config/logger.js';
import { ownerDecision, type KafkaPosition } from '../domain/decisions.js';
import { bookingWorkflowId } from '../domain/ids.js';
import type { ReceivedBookingCreated, ReceivedBookingStatusUpdated } from '../domain/messages.js';
import type { NotificationChannel } from '../notifications/channel.js';
import { decideBookingSignal } from '../workflows/booking-definitions.js';
import type { HandleResult } from './validated-consumer.js';

async function whyUndeliverable(handle: WorkflowHandle): Promise<HandleResult> {
  try {
    const { status } = await handle.describe();
    return {
      outcome: 'dead-letter',
      reason: 'booking-finished',
      detail: `workflow ${handle.workflowId} is ${status.name}`,
    };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    return {
      outcome: 'dead-letter',
      reason: 'unknown-booking',
      detail: `no workflow ${handle.workflowId}`,
    };
  }
}

/** `booking-updates`: the owner's decision goes to the booking's saga as a signal. */
export function forwardDecisionToSaga(temporal: Client, log: Logger) {
  return async (
    message: ReceivedBookingStatusUpdated,
    position: KafkaPosition,
  ): Promise<HandleResult> => {
    const handle = temporal.workflow.getHandle(bookingWorkflowId(message.bookingId));
    try {
      await handle.signal(decideBookingSignal, ownerDecision(message, position));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return whyUndeliverable(handle);
      throw error; // Temporal unreachable: the consumer backs off and retries this message.
    }
    log.info('signalled', { bookingId: message.bookingId, status: message.status, ...position });
    return { outcome: 'done' };
  };
}

/** `booking-requests`: the owner hears of the request, in the app and by email, once per eventId. */
export function notifyOwnerOfRequest(channel: NotificationChannel) {
  return async (message: ReceivedBookingCreated): Promise<HandleResult> => {
    const stay = `${message.checkIn.slice(0, 10)} to ${message.checkOut.slice(0, 10)}`;
    await channel.deliver({
      userId: message.ownerId,
      causeKey: message.eventId,
      kind: 'booking-requested',
      title: 'New booking request',
      body: `${message.propertyName}: ${stay}, ${message.guests} guest(s), total ${message.totalPrice}`,
      bookingId: message.bookingId,
      byEmail: true,
    });
    return { outcome: 'done' };
  };
}
