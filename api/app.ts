/**
 * The HTTP API: one Hono app whose route modules match the seed's services. Every answer is
 * JSON; every error is `{ error: { code, message, details? } }`; nothing leaks a stack trace.
 */
import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppConfig, SeedService } from '../config/env.js';
import type { Logger } from '../config/logger.js';
import type { BookingEventPublisher } from '../kafka/publisher.js';
import type { EmailSender } from '../notifications/email.js';
import { allowedMethods } from './allowed-methods.js';
import { isTransientDatabaseError } from '../db/transient-errors.js';
import { DomainError } from '../domain/errors.js';
import { HttpError, STATUS_OF } from './errors.js';
import type { AppEnv } from './auth-middleware.js';
import { documentRoute } from './openapi.js';
import { authRoutes } from './routes/auth.js';
import { bookingRoutes } from './routes/booking.js';
import { docsRoutes } from './routes/docs.js';
import { notificationRoutes } from './routes/notifications.js';
import { ownerBookingRoutes, ownerPropertyRoutes } from './routes/owner.js';
import { bookedDatesRoute, propertyRoutes } from './routes/property.js';
import { travelerBookingRoutes } from './routes/traveler.js';

export interface ApiDeps {
  config: AppConfig;
  temporal: Client;
  publisher: BookingEventPublisher;
  /** Sends password-reset tokens; null when no SMTP server is configured. */
  email: EmailSender | null;
  log: Logger;
}

export function createApi({ config, temporal, publisher, email, log }: ApiDeps) {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const ms = Math.round(performance.now() - started);
    log.info(`${c.req.method} ${c.req.path}`, { status: c.res.status, ms });
  });
  app.use(
    bodyLimit({
      maxSize: config.BODY_LIMIT_BYTES,
      onError: () => {
        throw new HttpError(
          413,
          'body_too_large',
          `Bodies are limited to ${config.BODY_LIMIT_BYTES} bytes`,
        );
      },
    }),
  );

  documentRoute({
    method: 'get',
    path: '/health',
    summary: 'Liveness: the API process answers',
    tag: 'system',
    responses: { 200: '{"status":"ok"}' },
  });
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.route('/', docsRoutes());
  const accounts = { log: log.child('auth'), mailer: email };
  // Each seed service owns path prefixes; a process serves the services it is given, so the
  // same app runs as one process (the default) or one Deployment per service behind an Ingress.
  const mount: Record<SeedService, () => void> = {
    auth: () => {
      app.route('/api/auth', authRoutes(config, undefined, accounts));
      app.route('/api/notifications', notificationRoutes());
    },
    owner: () => {
      app.route('/api/owners', authRoutes(config, 'owner', accounts));
      app.route('/api/owners/bookings', ownerBookingRoutes(publisher));
      app.route('/api/owners/properties', ownerPropertyRoutes());
    },
    property: () => app.route('/api/properties', propertyRoutes()),
    booking: () => {
      app.route('/api/bookings', bookedDatesRoute());
      app.route('/api/bookings', bookingRoutes(temporal));
    },
    traveler: () => {
      app.route('/api/travelers', authRoutes(config, 'traveler', accounts));
      app.route(
        '/api/travelers/bookings',
        travelerBookingRoutes({
          temporal,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          ownerDecisionTimeoutMs: config.OWNER_DECISION_TIMEOUT,
          policy: {
            minNoticeMs: config.BOOKING_MIN_NOTICE,
            horizonMs: config.BOOKING_HORIZON,
            maxPendingPerTraveler: config.MAX_PENDING_PER_TRAVELER,
            maxPendingPerProperty: config.MAX_PENDING_PER_PROPERTY,
          },
        }),
      );
    },
  };
  for (const service of config.API_SERVICES) mount[service]();

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
