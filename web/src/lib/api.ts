/**
 * The API, typed end to end: Hono's RPC client over the API's own route types (api/client.ts),
 * on the page's origin (the web server proxies /api, so the session cookie is first-party).
 * `call` turns an answer into its success body, or throws an ApiError carrying the API's
 * `{error: {code, message, details}}`, which every screen shows as it is.
 */
import { hc, type ClientResponse } from 'hono/client';
import type { ResponseFormat } from 'hono/types';
import type { AppType } from '../../../api/client.js';

export const api = hc<AppType>(window.location.origin, {
  init: { credentials: 'same-origin' },
});

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type AnyResponse = ClientResponse<unknown, number, string>;
type SuccessCode = 200 | 201 | 202 | 204;
/** The body of the successful answers of a call (204s have none). */
export type SuccessOf<R> =
  R extends ClientResponse<infer T, infer S, ResponseFormat>
    ? S extends SuccessCode
      ? S extends 204
        ? undefined
        : T
      : never
    : never;

interface ErrorJson {
  error?: { code?: string; message?: string; details?: unknown };
}

export async function errorOf(response: Response | AnyResponse): Promise<ApiError> {
  let body: ErrorJson | undefined;
  try {
    body = (await response.json()) as ErrorJson;
  } catch {
    body = undefined;
  }
  const error = body?.error;
  return new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? `The server answered ${response.status} ${response.statusText}`.trim(),
    error?.details,
  );
}

const unreachable = () =>
  new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');

export async function call<R extends AnyResponse>(request: Promise<R>): Promise<SuccessOf<R>> {
  let response: R;
  try {
    response = await request;
  } catch {
    throw unreachable();
  }
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as SuccessOf<R>;
  return (await response.json()) as SuccessOf<R>;
}

/** A multipart upload (the RPC client types form fields as text, an upload sends a file). */
export async function upload<T>(url: URL | string, method: 'POST' | 'PUT', file: File): Promise<T> {
  const form = new FormData();
  form.append('photo', file);
  let response: Response;
  try {
    response = await fetch(url, { method, body: form, credentials: 'same-origin' });
  } catch {
    throw unreachable();
  }
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** What an error says to a person: the API's own message. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}

/** The nights a 409 `dates_unavailable` names. */
export function conflictingNightsOf(error: unknown): string[] {
  if (!(error instanceof ApiError) || error.code !== 'dates_unavailable') return [];
  const nights = (error.details as { conflictingNights?: unknown } | undefined)?.conflictingNights;
  return Array.isArray(nights) ? nights.filter((n): n is string => typeof n === 'string') : [];
}
