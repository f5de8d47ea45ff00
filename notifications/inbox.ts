/** A user's in-app notifications: what the notification channel stored for them. */
import {
  markAllNotificationsRead as markAllRead,
  markNotificationRead as markRead,
  notificationPage,
} from '../db/notifications.js';
import type { Page } from '../db/pages.js';
import { notFound } from '../domain/errors.js';
import type { AuthUser } from '../services/accounts.js';

export async function listNotifications(user: AuthUser, query: Page & { unreadOnly: boolean }) {
  const { items, total, unread } = await notificationPage(user.id, query.unreadOnly, query);
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
  // Someone else's notification is indistinguishable from a missing one.
  if (!(await markRead(id, user.id))) throw notFound('Notification');
}

export function markAllNotificationsRead(user: AuthUser): Promise<number> {
  return markAllRead(user.id);
}
