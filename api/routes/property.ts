/** Seed Property service: listings, their search, and the nights they have booked. */
import { createRoute } from '@hono/zod-openapi';
import {
  bookedDates,
  createProperty,
  deleteProperty,
  findPropertyWithHost,
  searchProperties,
  updateProperty,
} from '../../services/properties.js';
import { propertyCalendar, quoteStay } from '../../services/stay-quotes.js';
import { DAY_MS, startOfDayUtc, type BookingPolicy } from '../../domain/stay.js';
import {
  ApiRouter,
  errorResponse,
  jsonBody,
  jsonResponse,
  optionallySignedIn,
  signedIn,
} from '../openapi.js';
import {
  BookedDates,
  calendarQuery,
  IdParams,
  PropertyCalendar,
  StayQuote,
  stayQuoteQuery,
  PropertyAnswer,
  PropertyWithHostAnswer,
  PropertyPage,
  propertyBody,
  propertyChangesBody,
  propertySearchQuery,
} from '../schemas.js';

export interface PropertyRouteDeps {
  policy: BookingPolicy;
  /** The currency of every price (config CURRENCY). */
  currency: string;
}

/** Days a calendar shows when asked without `to`. */
const DEFAULT_CALENDAR_DAYS = 90;

export function propertyRoutes(deps: PropertyRouteDeps) {
  return new ApiRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/',
        summary: 'List a new property',
        tags: ['properties'],
        ...signedIn('owner'),
        request: { body: jsonBody(propertyBody) },
        responses: {
          201: jsonResponse(PropertyAnswer, 'The property, listed'),
          400: errorResponse('Invalid JSON, a missing or invalid field, or an unknown field'),
          401: errorResponse('No session'),
          403: errorResponse('Not an owner account'),
        },
      }),
      async (c) => {
        const property = await createProperty(c.get('user'), c.req.valid('json'));
        return c.json({ property }, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/',
        summary: 'Search available properties (city prefix in any case, price, guests, dates, ...)',
        tags: ['properties'],
        ...optionallySignedIn(),
        request: { query: propertySearchQuery },
        responses: {
          200: jsonResponse(PropertyPage, 'A page of matches; total counts every match'),
          400: errorResponse(
            'An unknown or invalid parameter, minPrice above maxPrice, or half or impossible dates',
          ),
        },
      }),
      async (c) => {
        const { checkIn, checkOut, ...criteria } = c.req.valid('query');
        const stay = checkIn && checkOut ? { checkIn, checkOut } : undefined;
        return c.json(await searchProperties({ ...criteria, stay }, c.get('viewer')), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}',
        summary: 'One property',
        tags: ['properties'],
        ...optionallySignedIn(),
        request: { params: IdParams },
        responses: {
          200: jsonResponse(PropertyWithHostAnswer, 'The property, with its host'),
          400: errorResponse('Not a property id'),
          404: errorResponse('No such property'),
        },
      }),
      async (c) => {
        const property = await findPropertyWithHost(c.req.valid('param').id, c.get('viewer'));
        return c.json({ property }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/quote',
        summary:
          'Price a stay before requesting it (the booking’s own pricing) and say if its nights are free',
        tags: ['properties'],
        request: { params: IdParams, query: stayQuoteQuery },
        responses: {
          200: jsonResponse(StayQuote, 'The price breakdown, and the nights already taken'),
          400: errorResponse('Not a property id, or a missing or invalid date or guest count'),
          404: errorResponse('No such property'),
          409: errorResponse('`property_unavailable`: the listing is not taking bookings'),
          422: errorResponse(
            'As a booking request would be refused: `invalid_stay`, `too_many_guests`, ' +
              '`check_in_too_soon` (details.earliestCheckIn), `check_in_too_far`',
          ),
        },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const quote = await quoteStay(deps.policy, deps.currency, {
          propertyId: id,
          ...c.req.valid('query'),
        });
        return c.json(quote, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}/calendar',
        summary: 'Each day from `from` to `to` as free or taken (at most a year per call)',
        tags: ['properties'],
        request: { params: IdParams, query: calendarQuery },
        responses: {
          200: jsonResponse(PropertyCalendar, 'The days, in order, and the bookable check-ins'),
          400: errorResponse(
            'Not a property id, an invalid date, `to` before `from`, or over a year',
          ),
          404: errorResponse('No such property'),
        },
      }),
      async (c) => {
        const { from, to } = c.req.valid('query');
        const first = from ?? startOfDayUtc(new Date());
        const last = to ?? new Date(first.getTime() + (DEFAULT_CALENDAR_DAYS - 1) * DAY_MS);
        const calendar = await propertyCalendar(deps.policy, c.req.valid('param').id, {
          from: first,
          to: last,
        });
        return c.json(calendar, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/{id}',
        summary: 'Change some or all fields of my property',
        tags: ['properties'],
        ...signedIn('owner'),
        request: { params: IdParams, body: jsonBody(propertyChangesBody) },
        responses: {
          200: jsonResponse(PropertyAnswer, 'The property as changed'),
          400: errorResponse(
            'Not a property id, invalid JSON, no field, an invalid field or an unknown field',
          ),
          401: errorResponse('No session'),
          403: errorResponse('Not an owner account, or another owner’s property'),
          404: errorResponse('No such property'),
        },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const property = await updateProperty(c.get('user'), id, c.req.valid('json'));
        return c.json({ property }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/{id}',
        summary: 'Delete my property once it has no pending or accepted booking',
        tags: ['properties'],
        ...signedIn('owner'),
        request: { params: IdParams },
        responses: {
          204: { description: 'Deleted' },
          400: errorResponse('Not a property id'),
          401: errorResponse('No session'),
          403: errorResponse('Not an owner account, or another owner’s property'),
          404: errorResponse('No such property'),
          409: errorResponse(
            '`property_has_live_bookings`: a booking of it is still PENDING or ACCEPTED',
          ),
        },
      }),
      async (c) => {
        await deleteProperty(c.get('user'), c.req.valid('param').id);
        return c.body(null, 204);
      },
    );
}

/** `GET /api/bookings/property/:id/booked-dates`, kept at the seed's path. */
export function bookedDatesRoute() {
  return new ApiRouter().openapi(
    createRoute({
      method: 'get',
      path: '/property/{id}/booked-dates',
      summary: 'Nights of a property currently held by bookings',
      tags: ['properties'],
      request: { params: IdParams },
      responses: {
        200: jsonResponse(BookedDates, 'The held nights as YYYY-MM-DD, in order'),
        400: errorResponse('Not a property id'),
        404: errorResponse('No such property'),
      },
    }),
    async (c) => c.json(await bookedDates(c.req.valid('param').id), 200),
  );
}
