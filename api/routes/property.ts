/** Seed Property service: listings. */
import { Hono } from 'hono';
import { z } from 'zod';
import { bookedDates, createProperty, findProperty } from '../../services/properties.js';
import { requireUser, type AppEnv } from '../auth-middleware.js';
import { readBody, readId } from '../http.js';

const money = z.number().finite().nonnegative().max(1_000_000);
const count = (max: number) => z.number().int().min(0).max(max);

export const propertyBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  type: z.string().trim().min(1).max(50),
  description: z.string().max(5000).optional(),
  address: z.string().max(300).optional(),
  city: z.string().trim().min(1).max(100),
  state: z.string().max(100).optional(),
  country: z.string().trim().min(1).max(100),
  zipcode: z.string().max(20).optional(),
  bedrooms: count(100),
  bathrooms: count(100),
  maxGuests: z.number().int().min(1).max(100),
  amenities: z.array(z.string().trim().min(1).max(50)).max(100).optional(),
  images: z.array(z.url().max(2000)).max(50).optional(),
  pricePerNight: money.positive(),
  cleaningFee: money.optional(),
  serviceFee: money.optional(),
  available: z.boolean().optional(),
});

export function propertyRoutes() {
  const app = new Hono<AppEnv>();
  app.post('/', requireUser('owner'), async (c) => {
    const body = await readBody(c, propertyBody);
    return c.json({ property: await createProperty(c.get('user'), body) }, 201);
  });
  app.get('/:id', async (c) => c.json({ property: await findProperty(readId(c)) }));
  return app;
}

/** `GET /api/bookings/property/:id/booked-dates`, kept at the seed's path. */
export function bookedDatesRoute() {
  const app = new Hono<AppEnv>();
  app.get('/property/:id/booked-dates', async (c) => c.json(await bookedDates(readId(c))));
  return app;
}
