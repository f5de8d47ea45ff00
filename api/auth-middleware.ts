import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { resolveSession, type AuthUser, type Role } from '../services/accounts.js';
import { ApiError, forbidden } from '../services/errors.js';

export const SESSION_COOKIE = 'staysaga_session';

export interface AppEnv {
  Variables: { user: AuthUser; sessionToken: string };
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
    if (!token || !user) throw new ApiError(401, 'unauthenticated', 'Log in first');
    if (roles.length > 0 && !roles.includes(user.role)) {
      throw forbidden(`Only ${roles.join(' or ')} accounts may do this`);
    }
    c.set('user', user);
    c.set('sessionToken', token);
    await next();
  };
}
