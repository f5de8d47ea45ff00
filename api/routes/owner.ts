/** Seed Owner service: decisions on incoming bookings. */
import { Hono } from 'hono';
import mongoose from 'mongoose';
import { z } from 'zod';
import type { DecisionStatus } from '../../domain/booking-status.js';
import { Booking } from '../../db/models.js';
import type { BookingEventPublisher } from '../../kafka/publisher.js';
import { decideAsOwner } from '../../services/booking-decisions.js';
import { bookingView } from '../../services/booking-views.js';
import { requireUser, type AppEnv } from '../auth-middleware.js';
import { readBody, readId } from '../http.js';

const decisionBody = z.strictObject({ reason: z.string().trim().max(1000).optional() });

const DECISIONS: Record<string, DecisionStatus> = {
  approve: 'ACCEPTED',
  reject: 'REJECTED',
  cancel: 'CANCELLED',
};

export function ownerBookingRoutes(publisher: BookingEventPublisher) {
  const app = new Hono<AppEnv>();

  for (const [action, status] of Object.entries(DECISIONS)) {
    app.put(`/:id/${action}`, requireUser('owner'), async (c) => {
      const { reason } = await readBody(c, decisionBody);
      const accepted = await decideAsOwner(publisher, c.get('user'), readId(c), status, reason);
      // 202: the decision is on its way to the booking's saga, which applies it.
      return c.json({ decision: accepted }, 202);
    });
  }

  app.get('/', requireUser('owner'), async (c) => {
    const bookings = await Booking.find({ ownerId: new mongoose.Types.ObjectId(c.get('user').id) })
      .sort({ createdAt: -1 })
      .limit(100)
      .lean();
    return c.json({ bookings: bookings.map(bookingView) });
  });

  return app;
}
