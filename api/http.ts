/** Request parsing for route modules: every input goes through zod, every failure is a 4xx. */
import type { Context } from 'hono';
import { z } from 'zod';
import { hasForbiddenCharacters } from '../domain/text.js';
import { HttpError } from './errors.js';

function invalid(error: z.ZodError, what: string): HttpError {
  return new HttpError(
    400,
    'validation_failed',
    `Invalid ${what}`,
    error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

/** `application/json`, or a structured `+json` type, whatever its parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * The JSON body, validated. A body sent as anything but JSON is refused with 415 even when its
 * text would parse: an HTML form can post `text/plain` across sites without a CORS preflight,
 * and must never reach a JSON route (log-in CSRF). An empty body is an empty object.
 */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  let body: unknown = {};
  if (text.length > 0) {
    if (!JSON_MEDIA_TYPE.test(c.req.header('content-type') ?? '')) {
      throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json');
    }
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON');
    }
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalid(parsed.error, 'request body');
  return parsed.data;
}

/** The query, validated; no parameter may carry a control character (`%00` included). */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const unprintable = Object.entries(c.req.queries()).filter(([name, values]) =>
    [name, ...values].some((text) => hasForbiddenCharacters(text)),
  );
  if (unprintable.length > 0) {
    throw new HttpError(
      400,
      'validation_failed',
      'Invalid query',
      unprintable.map(([name]) => ({ path: name, message: FORBIDDEN_CHARACTERS })),
    );
  }
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw invalid(parsed.error, 'query');
  return parsed.data;
}

const FORBIDDEN_CHARACTERS = 'must not contain control or bidirectional-override characters';

/** One line of text a person types (a name, a city): trimmed, no control characters. */
export const lineText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((text) => !hasForbiddenCharacters(text), FORBIDDEN_CHARACTERS);

/** Text that may run over several lines (a description, a reason): tabs and line breaks too. */
export const paragraphText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((text) => !hasForbiddenCharacters(text, { multiline: true }), FORBIDDEN_CHARACTERS);

/** A token or key a program generated: 1 to `max` printable ASCII characters, no spaces. */
export const printableToken = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** A link to a web page or picture: http(s) only, never `javascript:` or `data:`. */
export const webUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

export const objectIdParam = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-character hex id');

export function readId(c: Context, name = 'id'): string {
  const parsed = objectIdParam.safeParse(c.req.param(name));
  if (!parsed.success) {
    throw new HttpError(400, 'validation_failed', `Invalid ${name}: must be a 24-character hex id`);
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
