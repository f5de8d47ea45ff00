/**
 * The typed client of the API for the web app: Hono's RPC client over the route definitions,
 * so every path, parameter, body and answer is checked by the compiler, e.g.
 * `await createApiClient('https://staysaga.example').api.properties.$get({ query: { city: 'lis' } })`.
 */
import { hc } from 'hono/client';
import type { AppType } from './app.js';

export type { AppType };

export function createApiClient(baseUrl: string, fetch?: typeof globalThis.fetch) {
  return hc<AppType>(baseUrl, fetch ? { fetch } : {});
}
