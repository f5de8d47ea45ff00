/**
 * The HTTP API: one Hono app whose route modules match the seed's services. Every answer is
 * JSON; every error is `{ error: { code, message, details? } }`; nothing leaks a stack trace.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppConfig, SeedService } from '../config/env.js';
import type { Logger } from '../config/logger.js';
import type { BookingEventPublisher } from '../kafka/publisher.js';
import type { EmailSender } from '../notifications/email.js';
import type { LiveEventHub } from '../services/live-events.js';
import { allowedMethods } from './allowed-methods.js';
import { isTransientDatabaseError } from '../db/transient-errors.js';
import { DomainError } from '../domain/errors.js';
import { HttpError, STATUS_OF } from './errors.js';
import type { AppEnv } from './auth-middleware.js';
import { ApiRouter, jsonResponse, openApiDocument, registerSecuritySchemes } from './openapi.js';
import { Health } from './schemas.js';
import { authRoutes } from './routes/auth.js';
import { bookingRoutes } from './routes/booking.js';
import { docsRoutes } from './routes/docs.js';
import { eventRoutes } from './routes/events.js';
import { notificationRoutes } from './routes/notifications.js';
import { ownerBookingRoutes, ownerPropertyRoutes } from './routes/owner.js';
import { bookedDatesRoute, propertyRoutes } from './routes/property.js';
import { travelerBookingRoutes } from './routes/traveler.js';
import { avatarRoutes, isPhotoUpload, photoRoutes, propertyPhotoRoutes } from './routes/photos.js';
import { favoriteRoutes } from './routes/favorites.js';
import { agentRoutes } from './routes/agent.js';
import type { BookingPolicy } from '../domain/stay.js';

export interface ApiDeps {
  config: AppConfig;
  temporal: Client;
  publisher: BookingEventPublisher;
  /** Sends password-reset tokens; null when no SMTP server is configured. */
  email: EmailSender | null;
  /** What users see live on `GET /api/events` (fed from Kafka by the API component). */
  liveEvents: LiveEventHub;
  log: Logger;
}

/** The booking policy a request (and a quote of it) must respect. */
function bookingPolicyOf(config: AppConfig): BookingPolicy {
  return {
    minNoticeMs: config.BOOKING_MIN_NOTICE,
    horizonMs: config.BOOKING_HORIZON,
    maxPendingPerTraveler: config.MAX_PENDING_PER_TRAVELER,
    maxPendingPerProperty: config.MAX_PENDING_PER_PROPERTY,
  };
}

/** The routes of each seed service, at their full paths. */
function serviceRoutes({ config, temporal, publisher, email, log, liveEvents }: ApiDeps) {
  const accounts = { log: log.child('auth'), mailer: email };
  const policy = bookingPolicyOf(config);
  return {
    auth: () =>
      new ApiRouter()
        .route('/api/auth', authRoutes(config, undefined, accounts))
        .route('/api/auth', avatarRoutes())
        .route('/api/notifications', notificationRoutes())
        .route(
          '/api/events',
          eventRoutes(liveEvents, {
            heartbeatMs: config.LIVE_EVENTS_HEARTBEAT,
            maxStreamMs: config.LIVE_EVENTS_MAX_STREAM,
          }),
        ),
    owner: () =>
      new ApiRouter()
        .route('/api/owners', authRoutes(config, 'owner', accounts))
        .route('/api/owners/bookings', ownerBookingRoutes(publisher, config.CURRENCY))
        .route('/api/owners/properties', ownerPropertyRoutes()),
    property: () =>
      new ApiRouter()
        .route('/api/properties', propertyRoutes({ policy, currency: config.CURRENCY }))
        .route('/api/properties', propertyPhotoRoutes())
        .route('/api/photos', photoRoutes()),
    booking: () =>
      new ApiRouter()
        .route('/api/bookings', bookedDatesRoute())
        .route('/api/bookings', bookingRoutes(temporal)),
    traveler: () =>
      new ApiRouter()
        .route('/api/travelers', authRoutes(config, 'traveler', accounts))
        .route(
          '/api/travelers/bookings',
          travelerBookingRoutes({
            temporal,
            taskQueue: config.TEMPORAL_TASK_QUEUE,
            ownerDecisionTimeoutMs: config.OWNER_DECISION_TIMEOUT,
            policy,
          }),
        )
        .route('/api/travelers/favorites', favoriteRoutes())
        .route(
          '/api/agent',
          agentRoutes({
            url: config.AGENT_URL ?? `http://127.0.0.1:${config.AGENT_PORT}`,
            apiKey: config.AGENT_API_KEY ?? null,
            timeoutMs: config.AGENT_TIMEOUT,
            currency: config.CURRENCY,
          }),
        ),
  } satisfies Record<SeedService, () => ApiRouter>;
}

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Liveness: the API process answers',
  tags: ['system'],
  responses: { 200: jsonResponse(Health, 'The process is up') },
});

function systemRoutes(document: () => ReturnType<typeof openApiDocument>) {
  return new ApiRouter()
    .openapi(healthRoute, (c) => c.json({ status: 'ok' } as const, 200))
    .route('/', docsRoutes(document));
}

type SchemaOf<App> = App extends Hono<AppEnv, infer S, string> ? S : never;
type ServiceApp<S extends SeedService> = ReturnType<ReturnType<typeof serviceRoutes>[S]>;

/**
 * The whole API as a client sees it (every seed service, behind one address or an Ingress),
 * whichever services one process serves: the type of `hc<AppType>` (api/client.ts).
 */
export type AppType = OpenAPIHono<
  AppEnv,
  SchemaOf<ReturnType<typeof systemRoutes>> &
    SchemaOf<ServiceApp<'auth'>> &
    SchemaOf<ServiceApp<'owner'>> &
    SchemaOf<ServiceApp<'property'>> &
    SchemaOf<ServiceApp<'booking'>> &
    SchemaOf<ServiceApp<'traveler'>>
>;

export function createApi(deps: ApiDeps) {
  const { config, log } = deps;
  const app = new ApiRouter();

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const ms = Math.round(performance.now() - started);
    log.info(`${c.req.method} ${c.req.path}`, { status: c.res.status, ms });
  });
  const limitBody = bodyLimit({
    maxSize: config.BODY_LIMIT_BYTES,
    onError: () => {
      throw new HttpError(
        413,
        'body_too_large',
        `Bodies are limited to ${config.BODY_LIMIT_BYTES} bytes`,
      );
    },
  });
  // Photo uploads have their own limit, 10 MiB and the multipart framing (api/routes/photos.ts).
  app.use((c, next) => (isPhotoUpload(c.req.method, c.req.path) ? next() : limitBody(c, next)));

  // Built once, on first request, from the routes mounted below: only the services served here.
  let document: ReturnType<typeof openApiDocument> | undefined;
  app.route(
    '/',
    systemRoutes(() => (document ??= openApiDocument(app))),
  );
  registerSecuritySchemes(app);
  // Each seed service owns path prefixes; a process serves the services it is given, so the
  // same app runs as one process (the default) or one Deployment per service behind an Ingress.
  const services = serviceRoutes(deps);
  for (const service of config.API_SERVICES) app.route('/', services[service]());

  app.notFound((c) => {
    const allow = allowedMethods(app.routes, c.req.path);
    if (allow.length > 0) {
      c.header('Allow', allow.join(', '));
      const message = `${c.req.method} is not served at ${c.req.path}; use ${allow.join(', ')}`;
      return c.json({ error: { code: 'method_not_allowed', message } }, 405);
    }
    const message = `No route for ${c.req.method} ${c.req.path}`;
    return c.json({ error: { code: 'not_found', message } }, 404);
  });
  app.onError((error, c) => {
    if (error instanceof DomainError || error instanceof HttpError) {
      const body = { code: error.code, message: error.message, details: error.details };
      // An error that says when to come back (a throttled or busy log-in) says it in the header too.
      const { retryAfterSeconds } = (error.details ?? {}) as { retryAfterSeconds?: unknown };
      if (typeof retryAfterSeconds === 'number') c.header('Retry-After', String(retryAfterSeconds));
      const status = error instanceof DomainError ? STATUS_OF[error.code] : error.status;
      return c.json({ error: body }, status);
    }
    if (error instanceof HTTPException && error.status < 500) {
      return c.json({ error: { code: 'bad_request', message: error.message } }, error.status);
    }
    if (isTransientDatabaseError(error)) {
      log.warn('database busy or unreachable', { method: c.req.method, path: c.req.path, error });
      c.header('Retry-After', '1');
      const message = 'The database is busy or unreachable; try again shortly';
      return c.json({ error: { code: 'service_unavailable', message } }, 503);
    }
    log.error('unhandled error', {
      method: c.req.method,
      path: c.req.path,
      error,
      stack: error.stack,
    });
    return c.json(
      { error: { code: 'internal', message: 'Something went wrong on our side' } },
      500,
    );
  });
  return app;
}
