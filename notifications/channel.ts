/**
 * How people hear about their bookings. Every notification is kept in the in-app store (what
 * `GET /api/notifications` lists); the ones the seed sends by email (a request received, a
 * decision made) are also queued in the email outbox, which the email sender (notifications/
 * email-outbox.ts) drains. Queuing is a Mongo insert, so a slow or unreachable SMTP server never
 * holds a saga step or a consumer's partition. Push or SMS would be one more outbox.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../config/logger.js';
import { queueEmail, takeEmail } from '../db/email-outbox.js';
import { insertNotification, type InAppNotification } from '../db/notifications.js';

export interface OutgoingNotification extends InAppNotification {
  /** Also send it to the account's email address. */
  byEmail?: boolean;
}

export interface NotificationChannel {
  deliver(notification: OutgoingNotification): Promise<void>;
}

/**
 * The in-app store and the email outbox. Callers (an activity, a consumer) retry a delivery
 * until it succeeds; both stores de-duplicate by cause. The email is queued first: a retry
 * after a crash between the two writes still finds it queued, and a cause delivered again
 * later (a replay) finds its in-app notification and withdraws the email it just queued.
 */
export function createNotificationChannel(deps: { log: Logger }): NotificationChannel {
  const { log } = deps;
  return {
    async deliver(n) {
      const { byEmail, ...inApp } = n;
      const queued = byEmail ? await queueEmailOf(n) : null;
      const stored = await insertNotification(inApp);
      if (!stored && queued) await takeEmail(queued);
      if (stored) log.info('notified', { userId: n.userId, kind: n.kind, bookingId: n.bookingId });
    },
  };
}

/** The outbox id of this notification's email, when this delivery queued it. */
async function queueEmailOf(n: OutgoingNotification): Promise<string | null> {
  const id = createHash('sha256').update(`${n.userId}\n${n.causeKey}`).digest('hex');
  const queued = await queueEmail({
    id,
    userId: n.userId,
    kind: n.kind,
    subject: n.title,
    text: n.body,
  });
  return queued ? id : null;
}
