import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { resolveSession, type AuthUser, type Role } from '../services/accounts.js';
import { DomainError, forbidden } from '../domain/errors.js';

export const SESSION_COOKIE = 'staysaga_session';
/** A browser that logged in before (see services/trusted-devices.ts); sent to `/api` only. */
export const DEVICE_COOKIE = 'staysaga_device';

export interface AppEnv {
  Variables: {
    user: AuthUser;
    sessionToken: string;
    /** On public routes: who asks, when signed in (see `identifyViewer`). */
    viewer: AuthUser | undefined;
  };
}

export function sessionToken(header: string | undefined, cookie: string | undefined) {
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? cookie;
}

/** Requires a live session (Bearer token or cookie) and, when given, one of the roles. */
export function requireUser(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = sessionToken(c.req.header('authorization'), getCookie(c, SESSION_COOKIE));
    const user = token ? await resolveSession(token) : null;
    if (!token || !user) throw new DomainError('unauthenticated', 'Log in first');
    if (roles.length > 0 && !roles.includes(user.role)) {
      throw forbidden(`Only ${roles.join(' or ')} accounts may do this`);
    }
    c.set('user', user);
    c.set('sessionToken', token);
    await next();
  };
}

/**
 * On a public route, notes who asks when a live session comes with the request (a favorite
 * heart on a search result). A missing, expired or unknown token is simply someone signed out:
 * a public page must never fail because of a stale cookie.
 */
export function identifyViewer(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = sessionToken(c.req.header('authorization'), getCookie(c, SESSION_COOKIE));
    c.set('viewer', token ? ((await resolveSession(token)) ?? undefined) : undefined);
    await next();
  };
}

/**
 * The caller's address, for the log-in throttle. `X-Forwarded-For` is client-controlled, so it
 * counts only from a proxy we run (`TRUST_PROXY=true`: any peer, behind an ingress; `loopback`,
 * the default: a peer on this machine, such as `npm start`'s web server), and then only its last
 * entry: the one our proxy appended, which the client cannot forge.
 */
export function clientIp(c: Context, trustProxy: boolean | 'loopback'): string {
  const peer = socketAddress(c);
  if (trustProxy === true || (trustProxy === 'loopback' && isLoopback(peer))) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return peer;
}

function socketAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // Not served by @hono/node-server (e.g. `app.request` in a test): no socket to ask.
    return 'unknown';
  }
}

const isLoopback = (address: string) =>
  address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
