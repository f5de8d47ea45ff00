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
  /** Media types of the success answers; JSON unless said otherwise (204 has no body). */
  produces?: string[];
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

/**
 * What any operation of its kind may also answer, documented on each so that a client (or a
 * conformance checker) never meets an undocumented status: the route's own list comes on top.
 */
function commonResponses(doc: RouteDoc, hasPathParams: boolean): Record<number, string> {
  const common: Record<number, string> = {};
  if (doc.body || doc.query || hasPathParams || doc.headers) common[400] = 'Invalid input';
  if (doc.auth) common[401] = 'Not signed in';
  if (doc.body) {
    common[413] = 'The body is larger than the limit (BODY_LIMIT_BYTES)';
    common[415] = 'The body is not sent as application/json';
  }
  // Refused by the HTTP server before any route, whatever the operation.
  common[414] = 'The URL is longer than 8 KiB';
  common[431] = 'The request line and headers are larger than 16 KiB';
  // Every API route reads the database, which may be busy (FerretDB's lock) or unreachable.
  if (doc.path.startsWith('/api/')) common[503] = 'The database is busy or unreachable; retry';
  return common;
}

/** Ids are ObjectId hex; other path parameters (a file name) are plain strings. */
const pathParamSchema = (name: string) =>
  name === 'id' || name.endsWith('Id')
    ? { type: 'string', pattern: '^[0-9a-f]{24}$' }
    : { type: 'string' };

function operation(doc: RouteDoc) {
  const pathParams = [...doc.path.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: pathParamSchema(m[1] as string),
  }));
  const responses = { ...commonResponses(doc, pathParams.length > 0), ...doc.responses };
  const produces = doc.produces ?? ['application/json'];
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
      Object.entries(responses).map(([status, description]) => [
        status,
        responseDoc(Number(status), description, produces),
      ]),
    ),
  };
}

function responseDoc(status: number, description: string, produces: string[]) {
  if (status >= 400) {
    return { description, content: { 'application/json': { schema: errorSchema } } };
  }
  if (status === 204) return { description };
  return { description, content: Object.fromEntries(produces.map((type) => [type, {}])) };
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
