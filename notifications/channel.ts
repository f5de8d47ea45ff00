/**
 * How people hear about their bookings. Every notification is kept in the in-app store (what
 * `GET /api/notifications` lists); the ones the seed sends by email (a request received, a
 * decision made) also go by email. Push or SMS would be one more transport next to email.
 */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import type { Logger } from '../config/logger.js';
import { isDuplicateKeyError } from '../db/connection.js';
import { EmailDelivery, Notification, User } from '../db/models.js';
import type { EmailSender } from './email.js';

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
 * The in-app store, plus email when a sender is configured (SMTP_URL). Delivery is retried by
 * its callers (an activity, a consumer) until it succeeds, and each transport de-duplicates by
 * cause: the in-app store by a unique index, email by a record of what was sent, so a retry
 * after a failed send mails once the message that did not go out.
 */
export function createNotificationChannel(deps: {
  log: Logger;
  email: EmailSender | null;
}): NotificationChannel {
  const { log, email } = deps;
  return {
    async deliver(n) {
      await storeInApp(n);
      log.info('notified', { userId: n.userId, kind: n.kind, bookingId: n.bookingId });
      if (n.byEmail && email) await emailOnce(email, n, log);
    },
  };
}

async function storeInApp(n: OutgoingNotification): Promise<void> {
  try {
    await Notification.create({
      userId: new mongoose.Types.ObjectId(n.userId),
      causeKey: n.causeKey,
      kind: n.kind,
      title: n.title,
      body: n.body,
      bookingId: n.bookingId ? new mongoose.Types.ObjectId(n.bookingId) : undefined,
    });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
}

/**
 * Account addresses by user id. An account's email never changes (there is no route for it),
 * so each process looks one up once; the map is dropped whole when it grows past its bound.
 */
const addresses = new Map<string, string>();
const MAX_REMEMBERED_ADDRESSES = 10_000;

async function addressOf(userId: string): Promise<string | null> {
  const known = addresses.get(userId);
  if (known) return known;
  const user = await User.findById(userId).select({ email: 1 }).lean();
  if (!user) return null;
  if (addresses.size >= MAX_REMEMBERED_ADDRESSES) addresses.clear();
  addresses.set(userId, user.email);
  return user.email;
}

async function emailOnce(sender: EmailSender, n: OutgoingNotification, log: Logger) {
  // Keyed by `_id` alone: the lookup FerretDB serves from its index.
  const _id = createHash('sha256').update(`${n.userId}\n${n.causeKey}`).digest('hex');
  if (await EmailDelivery.exists({ _id })) return;
  const to = await addressOf(n.userId);
  if (!to) {
    log.warn('no account to email', { userId: n.userId, kind: n.kind });
    return;
  }
  await sender.send({ to, subject: n.title, text: n.body });
  try {
    await EmailDelivery.create({ _id, kind: n.kind, sentAt: new Date() });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
}
