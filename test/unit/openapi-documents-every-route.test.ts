import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createApi } from '../../api/app.js';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../config/logger.js';
import type { BookingEventPublisher } from '../../kafka/publisher.js';
import { LiveEventHub } from '../../services/live-events.js';

// Building the app only registers routes; nothing here talks to Temporal, Kafka or Mongo.
function api(env: Record<string, string> = {}) {
  return createApi({
    config: loadConfig(env),
    temporal: {} as Client,
    publisher: {} as BookingEventPublisher,
    email: null,
    liveEvents: new LiveEventHub({ windowMs: 60_000, maxPerUser: 10, maxEvents: 100 }),
    log: createLogger('test', 'error'),
  });
}

/** The document the app serves at /openapi.json. */
async function documentOf(app: ReturnType<typeof api>) {
  const response = await app.request('/openapi.json');
  expect(response.status).toBe(200);
  return (await response.json()) as { openapi: string; paths: Record<string, Record<string, any>> };
}

const served = (app: ReturnType<typeof api>) =>
  [
    ...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`)),
  ].sort();

const documented = (doc: Awaited<ReturnType<typeof documentOf>>) =>
  Object.entries(doc.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map(
        (method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
      ),
    )
    .sort();

const operations = (doc: Awaited<ReturnType<typeof documentOf>>) =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ name: `${method} ${path}`, path, op })),
  );

describe('the OpenAPI document', () => {
  it('documents exactly the routes the API serves', async () => {
    const app = api();
    const doc = await documentOf(app);
    expect(doc.openapi).toBe('3.1.0');
    expect(documented(doc)).toEqual(served(app));
  });

  it('gives every operation a summary, and every answer with a body a JSON schema', async () => {
    const doc = await documentOf(api());
    for (const { name, path, op } of operations(doc)) {
      expect(op.summary, name).toEqual(expect.any(String));
      if (path.includes('{'))
        expect(
          op.parameters.some((p: any) => p.in === 'path'),
          name,
        ).toBe(true);
      const statuses = Object.keys(op.responses);
      expect(
        statuses.some((status) => status.startsWith('2')),
        name,
      ).toBe(true);
      for (const [status, response] of Object.entries<any>(op.responses)) {
        // No body by definition: 204 No Content, 304 Not Modified (a photo's conditional GET).
        if (status === '204' || status === '304') {
          expect(response.content, `${name} ${status}`).toBeUndefined();
          continue;
        }
        const media = Object.entries<any>(response.content ?? {});
        expect(media.length, `${name} ${status}`).toBeGreaterThan(0);
        for (const [type, { schema }] of media) {
          expect(schema, `${name} ${status} ${type}`).toEqual(expect.any(Object));
          expect(Object.keys(schema).length, `${name} ${status} ${type}`).toBeGreaterThan(0);
        }
      }
    }
  });

  it('names the shared answers under components.schemas and refers to them', async () => {
    const doc = (await documentOf(api())) as any;
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Booking', 'Property', 'Profile', 'Error', 'DecisionAccepted']),
    );
    const booking = doc.paths['/api/bookings/{id}'].get.responses;
    expect(booking['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/BookingAnswer',
    });
    expect(booking['404'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
    const signup = doc.paths['/api/auth/signup'].post;
    expect(signup.requestBody.content['application/json'].schema.properties).toHaveProperty(
      'email',
    );
  });

  it('documents the common refusals on every operation they can happen to', async () => {
    const doc = await documentOf(api());
    for (const { name, path, op } of operations(doc)) {
      const statuses = Object.keys(op.responses);
      expect(statuses, name).toEqual(expect.arrayContaining(['414', '431']));
      if (op.requestBody) expect(statuses, name).toEqual(expect.arrayContaining(['413', '415']));
      // A public route that answers a signed-in viewer too (`security` includes `{}`) never 401s.
      const sessionRequired = op.security?.every((way: object) => Object.keys(way).length > 0);
      if (sessionRequired) expect(statuses, name).toContain('401');
      if (op.security && !sessionRequired) expect(statuses, name).not.toContain('401');
      if (op.requestBody || op.parameters?.length) expect(statuses, name).toContain('400');
      if (path.startsWith('/api/')) expect(statuses, name).toContain('503');
    }
  });

  it('documents only the services a process serves (API_SERVICES)', async () => {
    const app = api({ API_SERVICES: 'property' });
    const doc = await documentOf(app);
    expect(documented(doc)).toEqual(served(app));
    const apiPaths = Object.keys(doc.paths).filter((path) => path.startsWith('/api/'));
    expect(apiPaths).toEqual(expect.arrayContaining(['/api/properties', '/api/properties/{id}']));
    // Nothing of the other services (accounts, bookings, owners, travelers).
    const propertyService = /^\/api\/(properties|photos)(\/|$)/;
    expect(apiPaths.filter((path) => !propertyService.test(path))).toEqual([]);
  });
});
