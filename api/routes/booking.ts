/** Seed Booking service: one booking, seen or cancelled by its own parties. */
import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { bookingOfParty, cancelAsTraveler } from '../../services/booking-decisions.js';
import { bookingView } from '../../services/booking-views.js';
import { requireUser, type AppEnv } from '../auth-middleware.js';
import { readBody, readId } from '../http.js';
import { documentRoute } from '../openapi.js';
import { decisionBody } from './owner.js';

export function bookingRoutes(temporal: Client) {
  const app = new Hono<AppEnv>();

  documentRoute({
    method: 'get',
    path: '/api/bookings/:id',
    summary: 'One booking with its full transition history (its traveler and owner only)',
    tag: 'bookings',
    auth: 'any',
    responses: {
      200: 'The booking',
      400: 'Bad id',
      401: 'Not signed in',
      404: 'No such booking, or not mine (as its traveler or its owner)',
    },
  });
  app.get('/:id', requireUser(), async (c) => {
    const booking = await bookingOfParty(readId(c), c.get('user'));
    return c.json({ booking: bookingView(booking) });
  });

  documentRoute({
    method: 'put',
    path: '/api/bookings/:id/cancel',
    summary: 'Cancel my booking (pending, or accepted before check-in); the saga frees the nights',
    tag: 'bookings',
    auth: 'traveler',
    body: decisionBody,
    responses: {
      202: 'The cancellation was handed to the booking saga',
      400: 'Bad id or body',
      401: 'Not signed in',
      403: 'Not a traveler account',
      404: 'No such booking, or not mine',
      409: 'The booking can no longer be cancelled',
    },
  });
  app.put('/:id/cancel', requireUser('traveler'), async (c) => {
    const { reason } = await readBody(c, decisionBody);
    const accepted = await cancelAsTraveler(temporal, c.get('user'), readId(c), reason);
    return c.json({ decision: accepted }, 202);
  });

  return app;
}
