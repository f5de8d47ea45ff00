/** The `notifications` collection: each user's in-app notifications, one per cause. */
import { isDuplicateKeyError } from './connection.js';
import { updateByIdIf } from './guarded-update.js';
import { toObjectId } from './ids.js';
import { Notification, type NotificationDoc } from './models.js';
import { findPage, type Page } from './pages.js';

export type { NotificationDoc };

/** One in-app notification; a user has at most one per `causeKey`. */
export interface InAppNotification {
  userId: string;
  /** What caused it; the same cause delivered twice notifies once. */
  causeKey: string;
  kind: string;
  title: string;
  body: string;
  bookingId?: string;
}

/** A stored notification, as its recipient sees it. */
export interface StoredNotification {
  id: string;
  userId: string;
  kind: string;
  title: string;
  body: string;
  bookingId?: string;
  createdAt: Date;
  read: boolean;
}

function storedView(doc: NotificationDoc & { _id: unknown; createdAt?: Date }): StoredNotification {
  return {
    id: String(doc._id),
    userId: doc.userId.toString(),
    kind: doc.kind,
    title: doc.title,
    body: doc.body,
    ...(doc.bookingId ? { bookingId: doc.bookingId.toString() } : {}),
    createdAt: doc.createdAt ?? new Date(),
    read: doc.read ?? false,
  };
}

/**
 * Stores the notification unless this user already has one with its cause; either way answers
 * the stored one, and whether this call created it. (Finding the earlier one reads by
 * userId and causeKey: only a retried or replayed delivery gets there.)
 */
export async function storeNotification(
  n: InAppNotification,
): Promise<{ created: boolean; notification: StoredNotification }> {
  try {
    const doc = await Notification.create({
      ...n,
      userId: toObjectId(n.userId),
      bookingId: n.bookingId ? toObjectId(n.bookingId) : undefined,
    });
    return { created: true, notification: storedView(doc.toObject()) };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  const earlier = await Notification.findOne({
    userId: toObjectId(n.userId),
    causeKey: n.causeKey,
  }).lean();
  if (!earlier) throw new Error(`notification ${n.causeKey} of ${n.userId} vanished`);
  return { created: false, notification: storedView(earlier) };
}

/** A page of a user's notifications, newest first, and how many are unread in all. */
export async function notificationPage(userId: string, unreadOnly: boolean, page: Page) {
  const mine = { userId: toObjectId(userId) };
  const [found, unread] = await Promise.all([
    findPage(
      Notification,
      unreadOnly ? { ...mine, read: false } : mine,
      { createdAt: -1, _id: -1 },
      page,
    ),
    Notification.countDocuments({ ...mine, read: false }),
  ]);
  return { ...found, unread };
}

/** False when there is no such notification of this user. */
export function markNotificationRead(notificationId: string, userId: string): Promise<boolean> {
  return updateByIdIf(
    Notification,
    toObjectId(notificationId),
    {
      filter: { userId: toObjectId(userId) },
      holds: (n: NotificationDoc) => n.userId.toString() === userId,
      select: { userId: 1 },
    },
    { $set: { read: true } },
  );
}

export async function markAllNotificationsRead(userId: string): Promise<number> {
  const result = await Notification.updateMany(
    { userId: toObjectId(userId), read: false },
    { $set: { read: true } },
  );
  return result.modifiedCount;
}
