/**
 * How people hear about their bookings. Every notification is kept in the in-app store (what
 * `GET /api/notifications` lists); the ones the seed sends by email (a request received, a
 * decision made) are also queued in the email outbox, which the email sender (notifications/
 * email-outbox.ts) drains. Queuing is a Mongo insert, so a slow or unreachable SMTP server never
 * holds a saga step or a consumer's partition. Push or SMS would be one more outbox. A stored
 * notification is also published as a live event (`GET /api/events`, kafka/live-events.ts).
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../config/logger.js';
import { queueEmail, takeEmail } from '../db/email-outbox.js';
import {
  storeNotification,
  type InAppNotification,
  type StoredNotification,
} from '../db/notifications.js';
import { notificationEvent } from '../kafka/live-events.js';
import type { UserEventSink } from '../kafka/publisher.js';

export interface OutgoingNotification extends InAppNotification {
  /** Also send it to the account's email address. */
  byEmail?: boolean;
}

export interface NotificationChannel {
  deliver(notification: OutgoingNotification): Promise<void>;
}

export interface NotificationChannelDeps {
  log: Logger;
  /**
   * Where stored notifications go live, and for how long after its creation a notification
   * found already stored is published again (the API's replay window, which de-duplicates it).
   * Absent: no live events (a tool that only replays history).
   */
  live?: { events: UserEventSink; windowMs: number };
}

/**
 * The in-app store and the email outbox. Callers (an activity, a consumer) retry a delivery
 * until it succeeds; both stores de-duplicate by cause. The email is queued first: a retry
 * after a crash between the two writes still finds it queued, and a cause delivered again
 * later (a replay) finds its in-app notification and withdraws the email it just queued. The
 * live event goes last: a retry that finds the notification stored, recently, publishes it
 * again, so a crash between the store and the publish cannot lose it (the API keeps one copy).
 */
export function createNotificationChannel(deps: NotificationChannelDeps): NotificationChannel {
  const { log, live } = deps;
  return {
    async deliver(n) {
      const { byEmail, ...inApp } = n;
      const queued = byEmail ? await queueEmailOf(n) : null;
      const { created, notification } = await storeNotification(inApp);
      if (!created && queued) await takeEmail(queued);
      if (created) log.info('notified', { userId: n.userId, kind: n.kind, bookingId: n.bookingId });
      if (live && (created || isRecent(notification, live.windowMs))) {
        await live.events.userEvents([notificationEvent(liveView(notification))]);
      }
    },
  };
}

function isRecent(n: StoredNotification, windowMs: number): boolean {
  return Date.now() - n.createdAt.getTime() < windowMs;
}

function liveView(n: StoredNotification) {
  return { ...n, createdAt: n.createdAt.toISOString() };
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
