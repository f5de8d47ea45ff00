/** Seed Property service: listings, their search, and the nights they have booked. */
import { Hono } from 'hono';
import { z } from 'zod';
import { STAY_PROBLEM_MESSAGES, stayProblem } from '../../domain/stay.js';
import { commaSeparated } from '../../domain/text.js';
import {
  PROPERTY_SORTS,
  bookedDates,
  createProperty,
  deleteProperty,
  findProperty,
  searchProperties,
  updateProperty,
} from '../../services/properties.js';
import { requireUser, type AppEnv } from '../auth-middleware.js';
import {
  calendarDate,
  lineText,
  pageQuery,
  paragraphText,
  readBody,
  readId,
  readQuery,
  webUrl,
} from '../http.js';
import { documentRoute } from '../openapi.js';

const money = z.number().finite().nonnegative().max(1_000_000);
const count = (max: number) => z.number().int().min(0).max(max);

export const propertyBody = z.strictObject({
  name: lineText(200).min(1),
  type: lineText(50).min(1),
  description: paragraphText(5000).optional(),
  address: lineText(300).optional(),
  city: lineText(100).min(1),
  state: lineText(100).optional(),
  country: lineText(100).min(1),
  zipcode: lineText(20).optional(),
  bedrooms: count(100),
  bathrooms: count(100),
  maxGuests: z.number().int().min(1).max(100),
  amenities: z.array(lineText(50).min(1)).max(100).optional(),
  images: z.array(webUrl).max(50).optional(),
  pricePerNight: money.positive(),
  cleaningFee: money.optional(),
  serviceFee: money.optional(),
  available: z.boolean().optional(),
});

/** Any subset of a listing's fields, with the same rules; an edit that changes nothing is refused. */
export const propertyChangesBody = propertyBody
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, 'send at least one field to change');

// Query values arrive as strings: numbers are coerced, then held to the same bounds as listings.
const queryMoney = z.coerce.number().finite().nonnegative().max(1_000_000);
const queryCount = (min: number) => z.coerce.number().int().min(min).max(100);

const searchFields = z.strictObject({
  city: z.string().trim().min(1).max(100).optional(),
  minPrice: queryMoney.optional(),
  maxPrice: queryMoney.optional(),
  guests: queryCount(1).optional(),
  type: z.string().trim().min(1).max(50).optional(),
  amenities: z
    .string()
    .max(2000)
    .transform(commaSeparated)
    .pipe(z.array(z.string().max(50)).min(1, 'name at least one amenity').max(20))
    .optional(),
  bedrooms: queryCount(0).optional(),
  checkIn: calendarDate.optional(),
  checkOut: calendarDate.optional(),
  sort: z.enum(PROPERTY_SORTS).default('newest'),
  ...pageQuery.shape,
});

/** Rules across parameters: a price range that is not empty, and a stay that could be booked. */
function checkSearchCombinations(
  query: z.output<typeof searchFields>,
  ctx: z.RefinementCtx<z.output<typeof searchFields>>,
) {
  const { minPrice, maxPrice, checkIn, checkOut } = query;
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    ctx.addIssue({ code: 'custom', path: ['minPrice'], message: 'must not exceed maxPrice' });
  }
  if (!checkIn !== !checkOut) {
    ctx.addIssue({ code: 'custom', path: ['checkOut'], message: 'give both checkIn and checkOut' });
  } else if (checkIn && checkOut) {
    // The same rules as a booking request, so the nights to look up stay bounded (90 at most).
    const problem = stayProblem({ checkIn, checkOut }, new Date());
    if (problem) {
      ctx.addIssue({ code: 'custom', path: ['checkOut'], message: STAY_PROBLEM_MESSAGES[problem] });
    }
  }
}

export const propertySearchQuery = searchFields.superRefine(checkSearchCombinations, {
  // Only once every parameter is valid on its own: a date that failed to parse is still text.
  when: (payload) => payload.issues.length === 0,
});

documentRoute({
  method: 'post',
  path: '/api/properties',
  summary: 'List a new property',
  tag: 'properties',
  auth: 'owner',
  body: propertyBody,
  responses: {
    201: 'The property, listed',
    400: 'Invalid JSON, a missing or invalid field, or an unknown field',
    401: 'No session',
    403: 'Not an owner account',
  },
});
documentRoute({
  method: 'get',
  path: '/api/properties',
  summary: 'Search available properties (city prefix in any case, price, guests, dates, ...)',
  tag: 'properties',
  query: propertySearchQuery,
  responses: {
    200: '`{ properties, page, limit, total }`, total counting every match',
    400: 'An unknown or invalid parameter, minPrice above maxPrice, or half or impossible dates',
  },
});
documentRoute({
  method: 'get',
  path: '/api/properties/:id',
  summary: 'One property',
  tag: 'properties',
  responses: { 200: 'The property', 400: 'Not a property id', 404: 'No such property' },
});
documentRoute({
  method: 'put',
  path: '/api/properties/:id',
  summary: 'Change some or all fields of my property',
  tag: 'properties',
  auth: 'owner',
  body: propertyChangesBody,
  responses: {
    200: 'The property as changed',
    400: 'Not a property id, invalid JSON, no field, an invalid field or an unknown field',
    401: 'No session',
    403: 'Not an owner account, or another owner’s property',
    404: 'No such property',
  },
});
documentRoute({
  method: 'delete',
  path: '/api/properties/:id',
  summary: 'Delete my property once it has no pending or accepted booking',
  tag: 'properties',
  auth: 'owner',
  responses: {
    204: 'Deleted',
    400: 'Not a property id',
    401: 'No session',
    403: 'Not an owner account, or another owner’s property',
    404: 'No such property',
    409: '`property_has_live_bookings`: a booking of it is still PENDING or ACCEPTED',
  },
});
documentRoute({
  method: 'get',
  path: '/api/bookings/property/:id/booked-dates',
  summary: 'Nights of a property currently held by bookings',
  tag: 'properties',
  responses: {
    200: '`{ propertyId, bookedNights }`, nights as YYYY-MM-DD in order',
    400: 'Not a property id',
    404: 'No such property',
  },
});

export function propertyRoutes() {
  const app = new Hono<AppEnv>();

  app.post('/', requireUser('owner'), async (c) => {
    const body = await readBody(c, propertyBody);
    return c.json({ property: await createProperty(c.get('user'), body) }, 201);
  });

  app.get('/', async (c) => {
    const { checkIn, checkOut, ...criteria } = readQuery(c, propertySearchQuery);
    const stay = checkIn && checkOut ? { checkIn, checkOut } : undefined;
    return c.json(await searchProperties({ ...criteria, stay }));
  });

  app.get('/:id', async (c) => c.json({ property: await findProperty(readId(c)) }));

  app.put('/:id', requireUser('owner'), async (c) => {
    const propertyId = readId(c);
    const changes = await readBody(c, propertyChangesBody);
    return c.json({ property: await updateProperty(c.get('user'), propertyId, changes) });
  });

  app.delete('/:id', requireUser('owner'), async (c) => {
    await deleteProperty(c.get('user'), readId(c));
    return c.body(null, 204);
  });

  return app;
}

/** `GET /api/bookings/property/:id/booked-dates`, kept at the seed's path. */
export function bookedDatesRoute() {
  const app = new Hono<AppEnv>();
  app.get('/property/:id/booked-dates', async (c) => c.json(await bookedDates(readId(c))));
  return app;
}
