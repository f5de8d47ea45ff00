/**
 * The seed's notification service: the owner side of `booking-requests` (tells the owner a
 * traveler asked for a stay) and the email sender that drains the outbox every notification
 * with an email fills, the traveler's decisions included.
 */
import { receivedBookingCreated, type ReceivedBookingCreated } from '../domain/messages.js';
import { startValidatedConsumer, type HandleResult } from '../kafka/validated-consumer.js';
import type { NotificationChannel } from '../notifications/channel.js';
import { startEmailOutboxSender } from '../notifications/email-outbox.js';
import type { RunningComponent } from './components.js';
import type { SystemContext } from './system-context.js';

export const NOTIFIER_GROUP_ID = 'staysaga-owner-notifier';

/**
 * What the owner side does with one valid `booking-created` message: notify the owner, once per
 * eventId. Shared by the live consumer and the replay tool.
 */
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
