/**
 * Seed Backend service: accounts and sessions (`/api/auth/*`), mounted again with a forced role
 * as `/api/travelers/*` and `/api/owners/*`. Sign-up, log-in (throttled), log-out, who am I, the
 * profile, and password reset by a single-use token.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AppConfig } from '../../config/env.js';
import { createLogger, type Logger } from '../../config/logger.js';
import type { EmailSender } from '../../notifications/email.js';
import {
  logInThrottled,
  openSession,
  readProfile,
  revokeSession,
  signUp,
  updateProfile,
  type PublicUser,
  type Role,
} from '../../services/accounts.js';
import { confirmPasswordReset, requestPasswordReset } from '../../services/password-reset.js';
import { trustDevice } from '../../services/trusted-devices.js';
import { documentRoute } from '../openapi.js';
import {
  clientIp,
  DEVICE_COOKIE,
  requireUser,
  SESSION_COOKIE,
  type AppEnv,
} from '../auth-middleware.js';
import { lineText, paragraphText, printableToken, readBody, webUrl } from '../http.js';

const email = z.email().max(254);
const password = z.string().min(8).max(200);
const credentials = z.strictObject({ email, password });
const signUpBody = credentials.extend({
  name: lineText(100).min(1),
  role: z.enum(['traveler', 'owner']),
});
const roleForcedSignUpBody = signUpBody.omit({ role: true });

/** Profile fields only: email, role and password are unknown keys here, hence a 400. */
const profileBody = z
  .strictObject({
    name: lineText(100).min(1),
    phone: z
      .string()
      .trim()
      .max(32)
      .regex(/^[+0-9 ().-]*$/, 'may hold only digits, spaces, +, -, . and parentheses'),
    bio: paragraphText(2000),
    // Empty clears the picture; otherwise only web addresses (no `javascript:` or `data:`).
    avatarUrl: z.union([z.literal(''), webUrl]),
  })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, 'Give at least one field to change');

const resetRequestBody = z.strictObject({ email });
const resetConfirmBody = z.strictObject({
  token: printableToken(200),
  newPassword: password,
});

/** Same body whether or not the email has an account: the answer must not reveal it. */
const RESET_REQUESTED = {
  status: 'accepted',
  message: 'If an account with this email exists, a reset token is on its way to it.',
} as const;

/** Where app.ts mounts this router for each role; the OpenAPI paths are built from these. */
const MOUNT_PATHS = { any: '/api/auth', traveler: '/api/travelers', owner: '/api/owners' };

export interface AuthRouteDeps {
  log?: Logger;
  /** How reset tokens reach the account holder: by email only (null: they cannot). */
  mailer: EmailSender | null;
}

export function authRoutes(config: AppConfig, forcedRole: Role | undefined, deps: AuthRouteDeps) {
  const app = new Hono<AppEnv>();
  const log = deps.log ?? createLogger('api:auth', config.LOG_LEVEL);
  const throttle = {
    maxFailures: config.LOGIN_MAX_FAILURES,
    maxAccountFailures: config.LOGIN_MAX_ACCOUNT_FAILURES,
    windowMs: config.LOGIN_FAILURE_WINDOW,
  };
  // On a role-forced mount the session must be of that role too (a traveler has no owner profile).
  const signedIn = requireUser(...(forcedRole ? [forcedRole] : []));
  documentAuthRoutes(MOUNT_PATHS[forcedRole ?? 'any'], forcedRole);

  /**
   * Opens a session for a user who just proved the password, and trusts their browser unless
   * it came with a device cookie this account already trusts.
   */
  const startSession = async (c: Context<AppEnv>, view: PublicUser, trusted = false) => {
    const [session, device] = await Promise.all([
      openSession(view, config.SESSION_TTL),
      trusted ? null : trustDevice(view, config.TRUSTED_DEVICE_TTL),
    ]);
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      expires: session.expiresAt,
    });
    if (device) {
      setCookie(c, DEVICE_COOKIE, device.token, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/api',
        expires: device.expiresAt,
      });
    }
    return { user: view, token: session.token, expiresAt: session.expiresAt.toISOString() };
  };

  app.post('/signup', async (c) => {
    const body = forcedRole
      ? { ...(await readBody(c, roleForcedSignUpBody)), role: forcedRole }
      : await readBody(c, signUpBody);
    const user = await signUp(body);
    return c.json(await startSession(c, user), 201);
  });

  app.post('/login', async (c) => {
    const body = await readBody(c, credentials);
    const { user, fromTrustedDevice } = await logInThrottled({
      ...body,
      role: forcedRole,
      clientIp: clientIp(c, config.TRUST_PROXY),
      deviceToken: getCookie(c, DEVICE_COOKIE),
      throttle,
    });
    return c.json(await startSession(c, user, fromTrustedDevice));
  });

  app.post('/logout', requireUser(), async (c) => {
    await revokeSession(c.get('sessionToken'));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  app.get('/me', signedIn, async (c) => {
    const { id, email, name, role } = await readProfile(c.get('user').id);
    return c.json({ user: { id, email, name, role } });
  });

  app.get('/profile', signedIn, async (c) => {
    return c.json({ profile: await readProfile(c.get('user').id) });
  });

  app.put('/profile', signedIn, async (c) => {
    const changes = await readBody(c, profileBody);
    return c.json({ profile: await updateProfile(c.get('user').id, changes) });
  });

  app.post('/password-reset/request', async (c) => {
    const body = await readBody(c, resetRequestBody);
    // Not awaited: an account's reset takes longer (token, message) than an unknown email's,
    // and that difference in response time would tell which emails have accounts.
    void requestPasswordReset({
      email: body.email,
      role: forcedRole,
      ttlMs: config.PASSWORD_RESET_TTL,
      mailer: deps.mailer,
    }).catch((error: unknown) => log.error('password reset request failed', { error }));
    return c.json(RESET_REQUESTED, 202);
  });

  app.post('/password-reset/confirm', async (c) => {
    const body = await readBody(c, resetConfirmBody);
    await confirmPasswordReset(body.token, body.newPassword);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  return app;
}

function documentAuthRoutes(base: string, forcedRole: Role | undefined) {
  const anAccount = {
    any: 'an account',
    traveler: 'a traveler account',
    owner: 'an owner account',
  }[forcedRole ?? 'any'];
  const signedIn = forcedRole ?? 'any';
  const wrongRole: Record<number, string> = forcedRole
    ? { 403: `Only ${forcedRole} accounts` }
    : {};
  documentRoute({
    method: 'post',
    path: `${base}/signup`,
    summary: forcedRole
      ? `Create ${anAccount} and open a session`
      : 'Create an account (traveler or owner) and open a session',
    tag: 'auth',
    body: forcedRole ? roleForcedSignUpBody : signUpBody,
    responses: {
      201: '{user, token, expiresAt}; the token is also set as the httpOnly staysaga_session cookie',
      400: 'Invalid body or unknown fields',
      409: 'An account with this email already exists (whatever its role)',
    },
  });
  documentRoute({
    method: 'post',
    path: `${base}/login`,
    summary: `Log in to ${anAccount} and open a session`,
    tag: 'auth',
    body: credentials,
    responses: {
      200: '{user, token, expiresAt}; the token is also set as the httpOnly staysaga_session cookie',
      400: 'Invalid body',
      401: forcedRole
        ? `Email or password is incorrect, or it is not ${anAccount}`
        : 'Email or password is incorrect',
      429: 'Too many failed log-ins for this email from this client; see Retry-After',
      503: 'Too many log-ins of this account at the same moment; retry after Retry-After',
    },
  });
  documentRoute({
    method: 'post',
    path: `${base}/logout`,
    summary: 'Revoke the current session',
    tag: 'auth',
    auth: 'any',
    responses: { 204: 'Session revoked; the cookie is cleared', 401: 'Not logged in' },
  });
  documentRoute({
    method: 'get',
    path: `${base}/me`,
    summary: 'Who is logged in',
    tag: 'auth',
    auth: signedIn,
    responses: {
      200: '{user: {id, email, name, role}}',
      401: 'Not logged in',
      ...wrongRole,
    },
  });
  documentRoute({
    method: 'get',
    path: `${base}/profile`,
    summary: 'Read my profile',
    tag: 'auth',
    auth: signedIn,
    responses: {
      200: '{profile: {id, email, name, role, phone, bio, avatarUrl}}',
      401: 'Not logged in',
      ...wrongRole,
    },
  });
  documentRoute({
    method: 'put',
    path: `${base}/profile`,
    summary: 'Change my name, phone, bio or avatar (email, role and password are not changed here)',
    tag: 'auth',
    auth: signedIn,
    body: profileBody,
    responses: {
      200: '{profile}',
      400: 'Invalid value or unknown field (email, role and password included)',
      401: 'Not logged in',
      ...wrongRole,
    },
  });
  documentRoute({
    method: 'post',
    path: `${base}/password-reset/request`,
    summary: `Send a single-use password reset token to ${anAccount}`,
    tag: 'auth',
    body: resetRequestBody,
    responses: {
      202: 'Always the same answer, whether or not the email has an account',
      400: 'Invalid body',
    },
  });
  documentRoute({
    method: 'post',
    path: `${base}/password-reset/confirm`,
    summary: 'Set a new password with a reset token; every session of the account is revoked',
    tag: 'auth',
    body: resetConfirmBody,
    responses: {
      204: 'Password changed',
      400: 'Invalid body, or the token is unknown, used or expired (invalid_reset_token)',
    },
  });
}
