/** Seed Traveler service: a traveler's booking requests. */
import { Hono } from 'hono';
import mongoose from 'mongoose';
import { z } from 'zod';
import { Booking } from '../../db/models.js';
import { requestStay, type BookingRequestDeps } from '../../services/booking-requests.js';
import { bookingView } from '../../services/booking-views.js';
import { ApiError } from '../../services/errors.js';
import { requireUser, type AppEnv } from '../auth-middleware.js';
import { calendarDate, objectIdParam, readBody } from '../http.js';

const bookingRequestBody = z.strictObject({
  propertyId: objectIdParam,
  checkIn: calendarDate,
  checkOut: calendarDate,
  guests: z.number().int().min(1).max(100),
});

const idempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII');

export function travelerBookingRoutes(deps: BookingRequestDeps) {
  const app = new Hono<AppEnv>();

  app.post('/', requireUser('traveler'), async (c) => {
    const body = await readBody(c, bookingRequestBody);
    const keyHeader = c.req.header('idempotency-key');
    const key = keyHeader === undefined ? undefined : idempotencyKey.safeParse(keyHeader);
    if (key && !key.success) {
      throw new ApiError(
        400,
        'validation_failed',
        'Idempotency-Key must be 1-200 printable characters',
      );
    }
    const { booking, replayed } = await requestStay(deps, c.get('user'), body, key?.data);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json({ booking }, replayed ? 200 : 201);
  });

  app.get('/', requireUser('traveler'), async (c) => {
    const bookings = await Booking.find({
      travelerId: new mongoose.Types.ObjectId(c.get('user').id),
    })
      .sort({ createdAt: -1 })
      .limit(100)
      .lean();
    return c.json({ bookings: bookings.map(bookingView) });
  });

  return app;
}
