/** Request parsing for route modules: every input goes through zod, every failure is a 4xx. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { hasForbiddenCharacters } from '../domain/text.js';
import { HttpError } from './errors.js';
import { FORBIDDEN_CHARACTERS } from './schemas.js';

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

/**
 * The validation hook of @hono/zod-openapi (path parameters and headers): a failure is our 400,
 * e.g. `Invalid id: must be a 24-character hex id` or `Idempotency-Key must be 1-200 printable
 * characters`, never the library's own answer.
 */
export function refuseInvalidInput(
  result: { target: string } & ({ success: true } | { success: false; error: z.ZodError }),
): void {
  if (result.success) return;
  const [issue] = result.error.issues;
  const name = String(issue?.path[0] ?? result.target);
  const message = issue?.message ?? 'is invalid';
  if (result.target === 'param') {
    throw new HttpError(400, 'validation_failed', `Invalid ${name}: ${message}`);
  }
  if (result.target === 'header')
    throw new HttpError(400, 'validation_failed', `${name} ${message}`);
  throw invalid(result.error, result.target);
}
