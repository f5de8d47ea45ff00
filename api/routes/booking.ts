/** Seed Booking service: one booking, seen or cancelled by its own parties. */
import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { z } from 'zod';
import { Booking } from '../../db/models.js';
import { cancelAsTraveler } from '../../services/booking-decisions.js';
import { bookingView } from '../../services/booking-views.js';
import { forbidden, notFound } from '../../services/errors.js';
import { requireUser, type AppEnv } from '../auth-middleware.js';
import { readBody, readId } from '../http.js';

const cancelBody = z.strictObject({ reason: z.string().trim().max(1000).optional() });

export function bookingRoutes(temporal: Client) {
  const app = new Hono<AppEnv>();

  app.get('/:id', requireUser(), async (c) => {
    const booking = await Booking.findById(readId(c)).lean();
    if (!booking) throw notFound('Booking');
    const { id } = c.get('user');
    if (booking.travelerId.toString() !== id && booking.ownerId.toString() !== id) {
      throw forbidden('This booking belongs to someone else');
    }
    return c.json({ booking: bookingView(booking) });
  });

  app.put('/:id/cancel', requireUser('traveler'), async (c) => {
    const { reason } = await readBody(c, cancelBody);
    const accepted = await cancelAsTraveler(temporal, c.get('user'), readId(c), reason);
    return c.json({ decision: accepted }, 202);
  });

  return app;
}
