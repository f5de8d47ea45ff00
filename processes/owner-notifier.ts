/**
 * The seed's notification service: the owner side of `booking-requests` (tells the owner a
 * traveler asked for a stay) and the email sender that drains the outbox every notification
 * with an email fills, the traveler's decisions included.
 */
import { receivedBookingCreated } from '../domain/messages.js';
import { notifyOwnerOfRequest } from '../kafka/booking-handlers.js';
import { startValidatedConsumer } from '../kafka/validated-consumer.js';
import { startEmailOutboxSender } from '../notifications/email-outbox.js';
import type { RunningComponent, SystemContext } from './system-context.js';

export const NOTIFIER_GROUP_ID = 'staysaga-owner-notifier';

export async function startOwnerNotifier(ctx: SystemContext): Promise<RunningComponent> {
  const log = ctx.log.child('notifier');
  const consumer = await startValidatedConsumer({
    kafka: ctx.kafka,
    groupId: NOTIFIER_GROUP_ID,
    topic: ctx.topics.requests,
    schema: receivedBookingCreated,
    publisher: ctx.publisher,
    log,
    handle: notifyOwnerOfRequest(ctx.notifications),
  });
  const mailer = ctx.email ? startEmailOutboxSender(ctx.email, ctx.log.child('email')) : null;
  if (!mailer) log.warn('no SMTP_URL: queued emails stay in the outbox until a sender runs');
  return {
    name: 'notifier',
    async stop() {
      await consumer.stop();
      await mailer?.stop();
    },
  };
}
