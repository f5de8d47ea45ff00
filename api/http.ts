/** Request parsing for route modules: every input goes through zod, every failure is a 4xx. */
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../services/errors.js';

function invalid(error: z.ZodError, what: string): ApiError {
  return new ApiError(
    400,
    'validation_failed',
    `Invalid ${what}`,
    error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    const text = await c.req.text();
    body = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalid(parsed.error, 'request body');
  return parsed.data;
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw invalid(parsed.error, 'query');
  return parsed.data;
}

export const objectIdParam = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-character hex id');

export function readId(c: Context, name = 'id'): string {
  const parsed = objectIdParam.safeParse(c.req.param(name));
  if (!parsed.success) {
    throw new ApiError(400, 'validation_failed', `Invalid ${name}: must be a 24-character hex id`);
  }
  return parsed.data;
}

/** A calendar date: `YYYY-MM-DD` or an ISO instant at UTC midnight. */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T00:00:00(\.000)?Z)?$/, 'must be YYYY-MM-DD or a UTC-midnight instant')
  // A day that does not exist (2031-02-30) must not silently roll over into the next month.
  .refine((text) => {
    const date = new Date(`${text.slice(0, 10)}T00:00:00.000Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text.slice(0, 10);
  }, 'is not a real date')
  .transform((text) => new Date(`${text.slice(0, 10)}T00:00:00.000Z`));

/** `page` (from 1) and `limit` (1-100) of every paginated list; query strings are coerced. */
export const pageQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
