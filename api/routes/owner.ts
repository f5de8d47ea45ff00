/** Seed Owner service: incoming bookings, decisions on them, stats and the owner's listings. */
import { createRoute } from '@hono/zod-openapi';
import type { DecisionStatus } from '../../domain/booking-status.js';
import { escapeRegExp } from '../../domain/text.js';
import type { BookingEventPublisher } from '../../kafka/publisher.js';
import { decideAsOwner } from '../../services/booking-decisions.js';
import {
  listOwnerBookings,
  ownerBookingStats,
  ownerMonthlyRevenue,
} from '../../services/booking-queries.js';
import { listOwnerProperties } from '../../services/properties.js';
import type { AuthUser } from '../../services/accounts.js';
import { ApiRouter, errorResponse, jsonBody, jsonResponse, signedIn } from '../openapi.js';
import {
  BookingPage,
  BookingStats,
  DecisionAccepted,
  IdParams,
  MonthlyRevenue,
  OwnerListingList,
  decisionBody,
  documentedBookingPage,
  incomingBookingsQuery,
} from '../schemas.js';

/** `PUT /:id/approve|reject|cancel`: the decision goes out on booking-updates (202). */
function decisionRoute<const Action extends string>(action: Action, summary: string) {
  return createRoute({
    method: 'put',
    path: `/{id}/${action}`,
    summary,
    tags: ['owners'],
    ...signedIn('owner'),
    request: { params: IdParams, body: jsonBody(decisionBody) },
    responses: {
      202: jsonResponse(
        DecisionAccepted,
        'The decision is on its way to the booking saga (booking-updates), which applies it',
      ),
      400: errorResponse('Bad id or body'),
      401: errorResponse('Not signed in'),
      403: errorResponse('Not an owner account'),
      404: errorResponse('No such booking, or not of my properties'),
      409: errorResponse('The booking is not in a status this decision applies to'),
    },
  });
}

export function ownerBookingRoutes(publisher: BookingEventPublisher, currency: string) {
  const decide = async (
    owner: AuthUser,
    bookingId: string,
    status: DecisionStatus,
    reason: string | undefined,
  ) => ({ decision: await decideAsOwner(publisher, owner, bookingId, status, reason) });

  return new ApiRouter()
    .openapi(decisionRoute('approve', 'Approve a pending booking of my property'), async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      return c.json(await decide(c.get('user'), id, 'ACCEPTED', reason), 202);
    })
    .openapi(
      decisionRoute('reject', 'Reject a pending booking of my property (frees the nights)'),
      async (c) => {
        const { id } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        return c.json(await decide(c.get('user'), id, 'REJECTED', reason), 202);
      },
    )
    .openapi(
      decisionRoute(
        'cancel',
        'Cancel a pending booking, or an accepted one before check-in (frees the nights)',
      ),
      async (c) => {
        const { id } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        return c.json(await decide(c.get('user'), id, 'CANCELLED', reason), 202);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/',
        summary:
          'Incoming bookings of my properties: filter by status or property, search guest or property name, sort, paginate',
        tags: ['owners'],
        ...signedIn('owner'),
        request: { query: incomingBookingsQuery },
        responses: {
          200: jsonResponse(BookingPage, 'A page of bookings with total'),
          400: errorResponse('Invalid query'),
          401: errorResponse('Not signed in'),
          403: errorResponse('Not an owner'),
        },
      }),
      async (c) => {
        const { q, status, ...query } = c.req.valid('query');
        // Case-insensitive substring of the guest's or property's name, the text taken literally.
        const searchPattern = q ? new RegExp(escapeRegExp(q), 'i') : undefined;
        const page = await listOwnerBookings(c.get('user'), {
          ...query,
          statuses: status,
          searchPattern,
        });
        return c.json(documentedBookingPage(page), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/stats',
        summary: 'Counts and revenue of my bookings by status',
        tags: ['owners'],
        ...signedIn('owner'),
        responses: {
          200: jsonResponse(BookingStats, 'Stats'),
          401: errorResponse('Not signed in'),
          403: errorResponse('Not an owner'),
        },
      }),
      async (c) => c.json(await ownerBookingStats(c.get('user')), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/stats/monthly',
        summary:
          'My revenue by check-in month over the last twelve months (accepted and completed stays)',
        tags: ['owners'],
        ...signedIn('owner'),
        responses: {
          200: jsonResponse(MonthlyRevenue, 'Twelve months, oldest first, this month last'),
          403: errorResponse('Not an owner'),
        },
      }),
      async (c) => c.json({ currency, ...(await ownerMonthlyRevenue(c.get('user'))) }, 200),
    );
}

export function ownerPropertyRoutes() {
  return new ApiRouter().openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'My listings, newest first, with pending requests and upcoming stays of each',
      tags: ['owners'],
      ...signedIn('owner'),
      responses: {
        200: jsonResponse(OwnerListingList, 'My properties with their booking counts'),
        401: errorResponse('Not signed in'),
        403: errorResponse('Not an owner'),
      },
    }),
    async (c) => c.json({ properties: await listOwnerProperties(c.get('user')) }, 200),
  );
}
