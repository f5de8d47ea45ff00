/**
 * OpenAPI 3.1 built from the same zod schemas the routes validate with. Each route module
 * documents its routes next to their handlers; a test checks that the documented routes and
 * the routes Hono really serves are the same set, so the document cannot drift from the code.
 */
import { z } from 'zod';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDoc {
  method: Method;
  /** Full path in Hono style, e.g. `/api/owners/bookings/:id/approve`. */
  path: string;
  summary: string;
  tag: 'auth' | 'properties' | 'bookings' | 'travelers' | 'owners' | 'notifications' | 'system';
  /** Who may call it; omitted for public routes. */
  auth?: 'any' | 'traveler' | 'owner';
  body?: z.ZodType;
  query?: z.ZodType;
  headers?: Record<string, string>;
  responses: Record<number, string>;
}

const documented = new Map<string, RouteDoc>();

export function documentRoute(doc: RouteDoc): void {
  documented.set(`${doc.method.toUpperCase()} ${doc.path}`, doc);
}

export function documentedRoutes(): RouteDoc[] {
  return [...documented.values()];
}

const toJsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
};

function operation(doc: RouteDoc) {
  const pathParams = [...doc.path.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^[0-9a-f]{24}$' },
  }));
  const querySchema = doc.query
    ? (toJsonSchema(doc.query) as { properties?: Record<string, unknown> })
    : undefined;
  const queryParams = Object.entries(querySchema?.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema,
  }));
  const headerParams = Object.entries(doc.headers ?? {}).map(([name, description]) => ({
    name,
    in: 'header',
    required: false,
    description,
    schema: { type: 'string' },
  }));
  return {
    summary: doc.summary,
    tags: [doc.tag],
    ...(doc.auth ? { security: [{ bearer: [] }, { cookie: [] }] } : {}),
    parameters: [...pathParams, ...queryParams, ...headerParams],
    ...(doc.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toJsonSchema(doc.body) } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(doc.responses).map(([status, description]) => [
        status,
        Number(status) >= 400
          ? { description, content: { 'application/json': { schema: errorSchema } } }
          : { description },
      ]),
    ),
  };
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of documented.values()) {
    const path = doc.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [doc.method]: operation(doc) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'StaySaga API',
      version: '1.0.0',
      description:
        'Booking back end of an Airbnb-style stays platform. Every error is `{error:{code,message,details?}}`.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'staysaga_session' },
      },
    },
    paths,
  };
}
