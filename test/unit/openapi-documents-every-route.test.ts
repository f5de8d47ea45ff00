import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createApi } from '../../api/app.js';
import { documentedRoutes, openApiDocument } from '../../api/openapi.js';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../config/logger.js';
import type { BookingEventPublisher } from '../../kafka/publisher.js';

// Building the app only registers routes; nothing here talks to Temporal or Kafka.
const app = createApi({
  config: loadConfig({}),
  temporal: {} as Client,
  publisher: {} as BookingEventPublisher,
  email: null,
  log: createLogger('test', 'error'),
});

describe('the OpenAPI document', () => {
  it('documents exactly the routes the API serves', () => {
    const served = app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`);
    const documented = documentedRoutes().map((d) => `${d.method.toUpperCase()} ${d.path}`);
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());
  });

  it('describes every operation with a summary, responses and, for writes, a body schema', () => {
    const doc = openApiDocument();
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations) as [string, any][]) {
        expect(op.summary, `${method} ${path}`).toEqual(expect.any(String));
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        if (path.includes('{')) expect(op.parameters.some((p: any) => p.in === 'path')).toBe(true);
      }
    }
    const signup = doc.paths['/api/auth/signup']?.post as any;
    expect(signup.requestBody.content['application/json'].schema.properties).toHaveProperty(
      'email',
    );
  });
});
