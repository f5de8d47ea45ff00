/** Seed Property service: listings, their search, and the nights they have booked. */
import { createRoute } from '@hono/zod-openapi';
import {
  bookedDates,
  createProperty,
  deleteProperty,
  findProperty,
  searchProperties,
  updateProperty,
} from '../../services/properties.js';
import { ApiRouter, errorResponse, jsonBody, jsonResponse, signedIn } from '../openapi.js';
import {
  BookedDates,
  IdParams,
  PropertyAnswer,
  PropertyPage,
  propertyBody,
  propertyChangesBody,
  propertySearchQuery,
} from '../schemas.js';

export function propertyRoutes() {
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
        return c.json(await searchProperties({ ...criteria, stay }), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/{id}',
        summary: 'One property',
        tags: ['properties'],
        request: { params: IdParams },
        responses: {
          200: jsonResponse(PropertyAnswer, 'The property'),
          400: errorResponse('Not a property id'),
          404: errorResponse('No such property'),
        },
      }),
      async (c) => c.json({ property: await findProperty(c.req.valid('param').id) }, 200),
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
