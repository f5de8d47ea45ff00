import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * A failure the caller can act on. Everything the API answers with a 4xx is one of these; the
 * HTTP layer turns it into `{ error: { code, message, details? } }`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
