/**
 * The saga bridge: consumes the owner decisions on `booking-updates` and signals each booking's
 * workflow. The offset is committed only after Temporal accepted the signal (or the message was
 * dead-lettered); a redelivered decision is harmless because the workflow de-duplicates eventIds.
 */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Logger } from '../config/logger.js';
import { bookingWorkflowId } from '../domain/ids.js';
import {
  receivedBookingStatusUpdated,
  type ReceivedBookingStatusUpdated,
} from '../domain/messages.js';
import {
  startValidatedConsumer,
  type HandleResult,
  type MessageContext,
} from '../kafka/validated-consumer.js';
import { decideBookingSignal, type BookingDecision } from '../workflows/booking-definitions.js';
import type { RunningComponent } from './components.js';
import type { SystemContext } from './system-context.js';

export const BRIDGE_GROUP_ID = 'staysaga-booking-updates-bridge';

export function decisionFromMessage(
  message: ReceivedBookingStatusUpdated,
  context: MessageContext,
): BookingDecision {
  return {
    eventId: message.eventId,
    status: message.status,
    reason: message.reason,
    actor: { role: 'owner', userId: message.ownerId },
    decidedAt: message.timestamp,
    source: { kind: 'kafka', ...context },
  };
}

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

/**
 * What the bridge does with one valid `booking-updates` message: signal the booking's workflow.
 * Shared by the live consumer and the replay tool, so a replay goes through exactly this path.
 */
export function forwardDecisionToSaga(temporal: Client, log: Logger) {
  return async (
    message: ReceivedBookingStatusUpdated,
    context: MessageContext,
  ): Promise<HandleResult> => {
    const handle = temporal.workflow.getHandle(bookingWorkflowId(message.bookingId));
    try {
      await handle.signal(decideBookingSignal, decisionFromMessage(message, context));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return whyUndeliverable(handle);
      throw error; // Temporal unreachable: the consumer backs off and retries this message.
    }
    log.info('signalled', { bookingId: message.bookingId, status: message.status, ...context });
    return { outcome: 'done' };
  };
}

export async function startBookingUpdatesBridge(ctx: SystemContext): Promise<RunningComponent> {
  const log = ctx.log.child('bridge');
  const consumer = await startValidatedConsumer({
    kafka: ctx.kafka,
    groupId: BRIDGE_GROUP_ID,
    topic: ctx.topics.updates,
    schema: receivedBookingStatusUpdated,
    publisher: ctx.publisher,
    log,
    handle: forwardDecisionToSaga(ctx.temporal, log),
  });
  return { name: 'bridge', stop: () => consumer.stop() };
}
