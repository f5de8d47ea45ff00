/** Seed Owner service: incoming bookings, decisions on them, stats and the owner's listings. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { DecisionStatus } from '../../domain/booking-status.js';
import { escapeRegExp } from '../../domain/text.js';
import type { BookingEventPublisher } from '../../kafka/publisher.js';
import { decideAsOwner } from '../../services/booking-decisions.js';
import { listOwnerBookings, ownerBookingStats } from '../../services/booking-queries.js';
import { listOwnerProperties } from '../../services/properties.js';
import { requireUser, type AppEnv } from '../auth-middleware.js';
import { objectIdParam, paragraphText, readBody, readId, readQuery } from '../http.js';
import { documentRoute } from '../openapi.js';
import { bookingListQuery } from './traveler.js';

export const decisionBody = z.strictObject({ reason: paragraphText(1000).optional() });

const incomingQuery = z.strictObject({
  ...bookingListQuery.shape,
  propertyId: objectIdParam.optional(),
  q: z.string().trim().min(1).max(100).optional(),
});

const DECISIONS: Record<string, { status: DecisionStatus; summary: string }> = {
  approve: { status: 'ACCEPTED', summary: 'Approve a pending booking of my property' },
  reject: {
    status: 'REJECTED',
    summary: 'Reject a pending booking of my property (frees the nights)',
  },
  cancel: {
    status: 'CANCELLED',
    summary: 'Cancel a pending booking, or an accepted one before check-in (frees the nights)',
  },
};

export function ownerBookingRoutes(publisher: BookingEventPublisher) {
  const app = new Hono<AppEnv>();

  for (const [action, { status, summary }] of Object.entries(DECISIONS)) {
    documentRoute({
      method: 'put',
      path: `/api/owners/bookings/:id/${action}`,
      summary,
      tag: 'owners',
      auth: 'owner',
      body: decisionBody,
      responses: {
        202: 'The decision is on its way to the booking saga (booking-updates), which applies it',
        400: 'Bad id or body',
        401: 'Not signed in',
        403: 'Not an owner account',
        404: 'No such booking, or not of my properties',
        409: 'The booking is not in a status this decision applies to',
      },
    });
    app.put(`/:id/${action}`, requireUser('owner'), async (c) => {
      const { reason } = await readBody(c, decisionBody);
      const accepted = await decideAsOwner(publisher, c.get('user'), readId(c), status, reason);
      return c.json({ decision: accepted }, 202);
    });
  }

  documentRoute({
    method: 'get',
    path: '/api/owners/bookings',
    summary:
      'Incoming bookings of my properties: filter by status or property, search guest or property name, sort, paginate',
    tag: 'owners',
    auth: 'owner',
    query: incomingQuery,
    responses: {
      200: 'A page of bookings with total',
      400: 'Invalid query',
      401: 'Not signed in',
      403: 'Not an owner',
    },
  });
  app.get('/', requireUser('owner'), async (c) => {
    const { q, ...query } = readQuery(c, incomingQuery);
    // Case-insensitive substring of the guest's or property's name, the text taken literally.
    const searchPattern = q ? new RegExp(escapeRegExp(q), 'i') : undefined;
    return c.json(await listOwnerBookings(c.get('user'), { ...query, searchPattern }));
  });

  documentRoute({
    method: 'get',
    path: '/api/owners/bookings/stats',
    summary: 'Counts and revenue of my bookings by status',
    tag: 'owners',
    auth: 'owner',
    responses: { 200: 'Stats', 401: 'Not signed in', 403: 'Not an owner' },
  });
  app.get('/stats', requireUser('owner'), async (c) =>
    c.json(await ownerBookingStats(c.get('user'))),
  );

  return app;
}

export function ownerPropertyRoutes() {
  const app = new Hono<AppEnv>();
  documentRoute({
    method: 'get',
    path: '/api/owners/properties',
    summary: 'My listings, newest first',
    tag: 'owners',
    auth: 'owner',
    responses: { 200: 'My properties', 401: 'Not signed in', 403: 'Not an owner' },
  });
  app.get('/', requireUser('owner'), async (c) =>
    c.json({ properties: await listOwnerProperties(c.get('user')) }),
  );
  return app;
}
