/** Seed Traveler service: a traveler's booking requests and bookings. */
import { createRoute } from '@hono/zod-openapi';
import { requestStay, type BookingRequestDeps } from '../../services/booking-requests.js';
import { listTravelerBookings } from '../../services/booking-queries.js';
import { ApiRouter, errorResponse, jsonBody, jsonResponse, signedIn } from '../openapi.js';
import {
  BookingAnswer,
  BookingPage,
  IdempotencyHeaders,
  bookingListQuery,
  bookingRequestBody,
  documentedBooking,
  documentedBookingPage,
} from '../schemas.js';

export function travelerBookingRoutes(deps: BookingRequestDeps) {
  return new ApiRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/',
        summary:
          'Request a stay: the saga holds the nights and records the booking PENDING (priced by the server)',
        tags: ['travelers'],
        ...signedIn('traveler'),
        request: { headers: IdempotencyHeaders, body: jsonBody(bookingRequestBody) },
        responses: {
          201: jsonResponse(BookingAnswer, 'The booking, PENDING'),
          200: jsonResponse(
            BookingAnswer,
            'A retry with the same Idempotency-Key: the same booking (Idempotent-Replayed: true)',
          ),
          400: errorResponse('Malformed request'),
          401: errorResponse('Not signed in'),
          403: errorResponse('Not a traveler'),
          404: errorResponse('No such property'),
          409: errorResponse(
            'Some nights are taken (`dates_unavailable`, details.conflictingNights), the property is not bookable, ' +
              'or I already have 5 pending requests, 2 for this property (`too_many_pending_requests`)',
          ),
          422: errorResponse(
            'The stay cannot be booked: dates or guests (`invalid_stay`, `too_many_guests`), it starts too soon ' +
              'for the owner to decide (`check_in_too_soon`, details.earliestCheckIn) or more than two years ahead ' +
              '(`check_in_too_far`), or the key was used for another request',
          ),
        },
      }),
      async (c) => {
        const key = c.req.valid('header')['Idempotency-Key'];
        const request = c.req.valid('json');
        const { booking, replayed } = await requestStay(deps, c.get('user'), request, key);
        const answer = { booking: documentedBooking(booking) };
        if (!replayed) return c.json(answer, 201);
        c.header('Idempotent-Replayed', 'true');
        return c.json(answer, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/',
        summary: 'List my bookings (filter by status, sort, paginate)',
        tags: ['travelers'],
        ...signedIn('traveler'),
        request: { query: bookingListQuery },
        responses: {
          200: jsonResponse(BookingPage, 'A page of bookings with total'),
          400: errorResponse('Invalid query'),
          401: errorResponse('Not signed in'),
          403: errorResponse('Not a traveler'),
        },
      }),
      async (c) => {
        const { status, ...query } = c.req.valid('query');
        const page = await listTravelerBookings(c.get('user'), { ...query, statuses: status });
        return c.json(documentedBookingPage(page), 200);
      },
    );
}
