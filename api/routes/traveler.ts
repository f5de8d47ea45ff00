/** Seed Traveler service: a traveler's booking requests and bookings. */
import { Hono } from 'hono';
import { z } from 'zod';
import { BOOKING_STATUSES } from '../../domain/booking-status.js';
import { requestStay, type BookingRequestDeps } from '../../services/booking-requests.js';
import { listTravelerBookings } from '../../services/booking-queries.js';
import { HttpError } from '../errors.js';
import { requireUser, type AppEnv } from '../auth-middleware.js';
import {
  calendarDate,
  objectIdParam,
  pageQuery,
  printableToken,
  readBody,
  readQuery,
} from '../http.js';
import { documentRoute } from '../openapi.js';

export const bookingRequestBody = z.strictObject({
  propertyId: objectIdParam,
  checkIn: calendarDate,
  checkOut: calendarDate,
  guests: z.number().int().min(1).max(100),
});

const idempotencyKey = printableToken(200);

export const bookingListQuery = z.strictObject({
  ...pageQuery.shape,
  status: z.enum(BOOKING_STATUSES).optional(),
  sort: z.enum(['newest', 'oldest', 'check_in', 'price_desc']).default('newest'),
});

export function travelerBookingRoutes(deps: BookingRequestDeps) {
  const app = new Hono<AppEnv>();

  documentRoute({
    method: 'post',
    path: '/api/travelers/bookings',
    summary:
      'Request a stay: the saga holds the nights and records the booking PENDING (priced by the server)',
    tag: 'travelers',
    auth: 'traveler',
    body: bookingRequestBody,
    headers: { 'Idempotency-Key': 'Retries with the same key return the same booking' },
    responses: {
      201: 'The booking, PENDING',
      200: 'A retry with the same Idempotency-Key: the same booking (Idempotent-Replayed: true)',
      400: 'Malformed request',
      401: 'Not signed in',
      403: 'Not a traveler',
      404: 'No such property',
      409:
        'Some nights are taken (`dates_unavailable`, details.conflictingNights), the property is not bookable, ' +
        'or I already have 5 pending requests, 2 for this property (`too_many_pending_requests`)',
      422:
        'The stay cannot be booked: dates or guests (`invalid_stay`, `too_many_guests`), it starts too soon ' +
        'for the owner to decide (`check_in_too_soon`, details.earliestCheckIn) or more than two years ahead ' +
        '(`check_in_too_far`), or the key was used for another request',
    },
  });
  app.post('/', requireUser('traveler'), async (c) => {
    const body = await readBody(c, bookingRequestBody);
    const keyHeader = c.req.header('idempotency-key');
    const key = keyHeader === undefined ? undefined : idempotencyKey.safeParse(keyHeader);
    if (key && !key.success) {
      throw new HttpError(
        400,
        'validation_failed',
        'Idempotency-Key must be 1-200 printable characters',
      );
    }
    const { booking, replayed } = await requestStay(deps, c.get('user'), body, key?.data);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json({ booking }, replayed ? 200 : 201);
  });

  documentRoute({
    method: 'get',
    path: '/api/travelers/bookings',
    summary: 'List my bookings (filter by status, sort, paginate)',
    tag: 'travelers',
    auth: 'traveler',
    query: bookingListQuery,
    responses: {
      200: 'A page of bookings with total',
      400: 'Invalid query',
      401: 'Not signed in',
      403: 'Not a traveler',
    },
  });
  app.get('/', requireUser('traveler'), async (c) =>
    c.json(await listTravelerBookings(c.get('user'), readQuery(c, bookingListQuery))),
  );

  return app;
}
