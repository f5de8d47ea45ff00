/** Seed Booking service: one booking, seen or cancelled by its own parties. */
import { createRoute } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import { bookingOfParty, cancelAsTraveler } from '../../services/booking-decisions.js';
import { bookingView } from '../../services/booking-views.js';
import { ApiRouter, errorResponse, jsonBody, jsonResponse, signedIn } from '../openapi.js';
import {
  BookingAnswer,
  DecisionAccepted,
  IdParams,
  decisionBody,
  documentedBooking,
} from '../schemas.js';

export function bookingRoutes(temporal: Client) {
  return new ApiRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}',
        summary: 'One booking with its full transition history (its traveler and owner only)',
        tags: ['bookings'],
        ...signedIn(),
        request: { params: IdParams },
        responses: {
          200: jsonResponse(BookingAnswer, 'The booking'),
          400: errorResponse('Bad id'),
          401: errorResponse('Not signed in'),
          404: errorResponse('No such booking, or not mine (as its traveler or its owner)'),
        },
      }),
      async (c) => {
        const booking = await bookingOfParty(c.req.valid('param').id, c.get('user'));
        return c.json({ booking: documentedBooking(bookingView(booking)) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/{id}/cancel',
        summary:
          'Cancel my booking (pending, or accepted before check-in); the saga frees the nights',
        tags: ['bookings'],
        ...signedIn('traveler'),
        request: { params: IdParams, body: jsonBody(decisionBody) },
        responses: {
          202: jsonResponse(DecisionAccepted, 'The cancellation was handed to the booking saga'),
          400: errorResponse('Bad id or body'),
          401: errorResponse('Not signed in'),
          403: errorResponse('Not a traveler account'),
          404: errorResponse('No such booking, or not mine'),
          409: errorResponse('The booking can no longer be cancelled'),
        },
      }),
      async (c) => {
        const { reason } = c.req.valid('json');
        const { id } = c.req.valid('param');
        const decision = await cancelAsTraveler(temporal, c.get('user'), id, reason);
        return c.json({ decision }, 202);
      },
    );
}
