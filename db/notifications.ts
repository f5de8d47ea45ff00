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

/** True when stored, false when this user already has a notification with this cause. */
export async function insertNotification(n: InAppNotification): Promise<boolean> {
  try {
    await Notification.create({
      ...n,
      userId: toObjectId(n.userId),
      bookingId: n.bookingId ? toObjectId(n.bookingId) : undefined,
    });
    return true;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return false;
  }
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
