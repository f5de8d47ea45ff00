/**
 * Routes documented where they are declared. Every route module declares each operation once
 * with `createRoute` (method, path, request parts, every answer with its schema) and registers
 * it with `app.openapi(route, handler)` on an `ApiRouter`; @hono/zod-openapi builds the OpenAPI
 * 3.1 document from the routes of the app actually assembled (a process serving some services
 * documents only theirs).
 *
 * Path parameters and headers are validated by the library (its failures become our errors in
 * `refuseInvalidInput`). JSON bodies and queries are read by our own rules instead (`readBody`,
 * `readQuery` in http.ts): an empty body is `{}`, a body not sent as JSON is a 415 whatever its
 * text, and no query parameter may carry a control character; the library's validators would
 * answer those differently.
 */
import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { identifyViewer, requireUser, type AppEnv } from './auth-middleware.js';
import { readBody, readQuery, refuseInvalidInput } from './http.js';
import { ErrorBody } from './schemas.js';
import type { Role } from '../services/accounts.js';

/** An answer with a JSON body. */
export const jsonResponse = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** An error answer: `{ error: { code, message, details? } }`. */
export const errorResponse = (description: string) => jsonResponse(ErrorBody, description);

/** A JSON request body, read by `readBody`. */
export const jsonBody = <S extends z.ZodType>(schema: S) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

/** Signed in (with one of `roles`, when given): the check, and the route's documented security. */
export const signedIn = (...roles: Role[]) => ({
  middleware: requireUser(...roles),
  security: SECURITY,
});

/** Public, but answered for the viewer when signed in (`c.get('viewer')`); never a 401. */
export const optionallySignedIn = () => ({
  middleware: identifyViewer(),
  security: [{}, ...SECURITY],
});

type Responses = RouteConfig['responses'];

/**
 * What any operation of its kind may also answer, documented on each so that a client (or a
 * conformance checker) never meets an undocumented status: the route's own list comes on top.
 */
function commonResponses(route: RouteConfig): Responses {
  const common: Responses = {};
  const { params, query, headers, body } = route.request ?? {};
  if (body || query || params || headers) common[400] = errorResponse('Invalid input');
  const sessionRequired = route.security?.every((way) => Object.keys(way).length > 0);
  if (sessionRequired) common[401] = errorResponse('Not signed in');
  if (body) {
    common[413] = errorResponse('The body is larger than the limit (BODY_LIMIT_BYTES)');
    common[415] = errorResponse('The body is not sent as application/json');
  }
  // Refused by the HTTP server before any route, whatever the operation.
  common[414] = errorResponse('The URL is longer than 8 KiB');
  common[431] = errorResponse('The request line and headers are larger than 16 KiB');
  // Every route but the system ones (health, docs) reads the database, which may be busy
  // (FerretDB's lock) or unreachable.
  if (!route.tags?.includes('system')) {
    common[503] = errorResponse('The database is busy or unreachable; retry');
  }
  return common;
}

/**
 * An OpenAPIHono app whose `openapi(route, handler)` documents the route with its common error
 * answers and reads its JSON body and query with our rules (see the module comment) into
 * `c.req.valid('json')` and `c.req.valid('query')`, after the route's middleware (the session
 * check) and the library's validation of its path parameters and headers.
 */
export class ApiRouter extends OpenAPIHono<AppEnv> {
  constructor() {
    super({ defaultHook: refuseInvalidInput });
    const register = this.openapi;
    const openapi = (
      route: RouteConfig,
      handler: MiddlewareHandler<AppEnv>,
      hook?: Parameters<typeof register>[2],
    ) => {
      const { body, query, ...validatedByLibrary } = route.request ?? {};
      const json = body?.content['application/json'] as { schema?: z.ZodType } | undefined;
      const bodySchema = json?.schema;
      const readInput: MiddlewareHandler<AppEnv> = async (c, next) => {
        if (query) c.req.addValidatedData('query', readQuery(c, query) as object);
        if (bodySchema) c.req.addValidatedData('json', (await readBody(c, bodySchema)) as object);
        return handler(c, next);
      };
      register(
        { ...route, request: validatedByLibrary, hide: true },
        readInput as Parameters<typeof register>[1],
        hook,
      );
      const { middleware: _middleware, hide, ...documented } = route;
      if (!hide) {
        this.openAPIRegistry.registerPath({
          ...documented,
          responses: { ...commonResponses(route), ...route.responses },
        });
      }
      return this;
    };
    this.openapi = openapi as unknown as this['openapi'];
  }
}

/** The OpenAPI 3.1 document of `app`: the routes it serves, as assembled. */
export function openApiDocument(app: Pick<OpenAPIHono, 'getOpenAPI31Document'>) {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'StaySaga API',
      version: '1.0.0',
      description:
        'Booking back end of an Airbnb-style stays platform. Every error is `{error:{code,message,details?}}`.',
    },
  });
}

/** How signed-in routes take the session: registered once on the app that builds the document. */
export function registerSecuritySchemes(app: Pick<OpenAPIHono, 'openAPIRegistry'>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'cookie', {
    type: 'apiKey',
    in: 'cookie',
    name: 'staysaga_session',
  });
}
