/** A user's in-app notifications: what the default NotificationChannel recorded for them. */
import mongoose from 'mongoose';
import { updateByIdIf } from '../db/guarded-update.js';
import { Notification, type NotificationDoc } from '../db/models.js';
import type { AuthUser } from './accounts.js';
import { notFound } from '../domain/errors.js';
import type { Page } from './booking-queries.js';

const oid = (id: string) => new mongoose.Types.ObjectId(id);

export async function listNotifications(user: AuthUser, query: Page & { unreadOnly: boolean }) {
  const mine = { userId: oid(user.id) };
  const filter = query.unreadOnly ? { ...mine, read: false } : mine;
  const [items, total, unread] = await Promise.all([
    Notification.find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .skip((query.page - 1) * query.limit)
      .limit(query.limit)
      .lean(),
    Notification.countDocuments(filter),
    Notification.countDocuments({ ...mine, read: false }),
  ]);
  return {
    notifications: items.map((n) => ({
      id: n._id.toString(),
      kind: n.kind,
      title: n.title,
      body: n.body,
      bookingId: n.bookingId?.toString(),
      read: n.read,
      createdAt: (n as { createdAt?: Date }).createdAt?.toISOString(),
    })),
    page: query.page,
    limit: query.limit,
    total,
    unread,
  };
}

export async function markNotificationRead(user: AuthUser, id: string): Promise<void> {
  const marked = await updateByIdIf(
    Notification,
    oid(id),
    {
      filter: { userId: oid(user.id) },
      holds: (n: NotificationDoc) => n.userId.toString() === user.id,
      select: { userId: 1 },
    },
    { $set: { read: true } },
  );
  // Someone else's notification is indistinguishable from a missing one.
  if (!marked) throw notFound('Notification');
}

export async function markAllNotificationsRead(user: AuthUser): Promise<number> {
  const result = await Notification.updateMany(
    { userId: oid(user.id), read: false },
    { $set: { read: true } },
  );
  return result.modifiedCount;
}
