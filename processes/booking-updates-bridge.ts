/**
 * The saga bridge: consumes the owner decisions on `booking-updates` and signals each booking's
 * workflow. The offset is committed only after Temporal accepted the signal (or the message was
 * dead-lettered); a redelivered decision is harmless because the workflow de-duplicates eventIds.
 */
import { receivedBookingStatusUpdated } from '../domain/messages.js';
import { forwardDecisionToSaga } from '../kafka/booking-handlers.js';
import { startValidatedConsumer } from '../kafka/validated-consumer.js';
import type { RunningComponent, SystemContext } from './system-context.js';

export const BRIDGE_GROUP_ID = 'staysaga-booking-updates-bridge';

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
