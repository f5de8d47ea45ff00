/**
 * How people hear about their bookings. Email, push and SMS would each be one more
 * NotificationChannel; the default records to the in-app store (what `GET /api/notifications`
 * lists) and the log.
 */
import mongoose from 'mongoose';
import type { Logger } from '../config/logger.js';
import { isDuplicateKeyError } from '../db/connection.js';
import { Notification } from '../db/models.js';

export interface OutgoingNotification {
  userId: string;
  /** What caused it; the same cause delivered twice notifies once. */
  causeKey: string;
  kind: string;
  title: string;
  body: string;
  bookingId?: string;
}

export interface NotificationChannel {
  deliver(notification: OutgoingNotification): Promise<void>;
}

export function inAppNotificationChannel(log: Logger): NotificationChannel {
  return {
    async deliver(n) {
      try {
        await Notification.create({
          ...n,
          userId: new mongoose.Types.ObjectId(n.userId),
          bookingId: n.bookingId ? new mongoose.Types.ObjectId(n.bookingId) : undefined,
        });
        log.info('notified', { userId: n.userId, kind: n.kind, bookingId: n.bookingId });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    },
  };
}
