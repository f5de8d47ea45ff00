/**
 * How people hear about their bookings. Every notification is kept in the in-app store (what
 * `GET /api/notifications` lists); the ones the seed sends by email (a request received, a
 * decision made) are also queued in the email outbox, which the email sender (notifications/
 * email-outbox.ts) drains. Queuing is a Mongo insert, so a slow or unreachable SMTP server never
 * holds a saga step or a consumer's partition. Push or SMS would be one more outbox.
 */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import type { Logger } from '../config/logger.js';
import { isDuplicateKeyError } from '../db/connection.js';
import { EmailOutbox, Notification } from '../db/models.js';

export interface OutgoingNotification {
  userId: string;
  /** What caused it; the same cause delivered twice notifies once. */
  causeKey: string;
  kind: string;
  title: string;
  body: string;
  bookingId?: string;
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
      const queued = n.byEmail ? await queueEmail(n) : null;
      const stored = await storeInApp(n);
      if (!stored && queued) await EmailOutbox.deleteOne({ _id: queued });
      if (stored) log.info('notified', { userId: n.userId, kind: n.kind, bookingId: n.bookingId });
    },
  };
}

/** True when this delivery stored it, false when it was there already. */
async function storeInApp(n: OutgoingNotification): Promise<boolean> {
  try {
    await Notification.create({
      userId: new mongoose.Types.ObjectId(n.userId),
      causeKey: n.causeKey,
      kind: n.kind,
      title: n.title,
      body: n.body,
      bookingId: n.bookingId ? new mongoose.Types.ObjectId(n.bookingId) : undefined,
    });
    return true;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return false;
  }
}

/** The outbox id this delivery queued, or null when the email was queued already. */
async function queueEmail(n: OutgoingNotification): Promise<string | null> {
  const _id = createHash('sha256').update(`${n.userId}\n${n.causeKey}`).digest('hex');
  try {
    await EmailOutbox.create({
      _id,
      userId: new mongoose.Types.ObjectId(n.userId),
      kind: n.kind,
      subject: n.title,
      text: n.body,
      attempts: 0,
      notBefore: new Date(),
    });
    return _id;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return null;
  }
}
