/**
 * Seed Backend service: accounts and sessions (`/api/auth/*`), mounted again with a forced role
 * as `/api/travelers/*` and `/api/owners/*`. Sign-up, log-in (throttled), log-out, who am I, the
 * profile, and password reset by a single-use token.
 */
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
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
import { clientIp, DEVICE_COOKIE, SESSION_COOKIE, type AppEnv } from '../auth-middleware.js';
import { ApiRouter, errorResponse, jsonBody, jsonResponse, signedIn } from '../openapi.js';
import {
  credentials,
  Me,
  ProfileAnswer,
  profileBody,
  ResetRequested,
  resetConfirmBody,
  resetRequestBody,
  roleForcedSignUpBody,
  SessionOpened,
  signUpBody,
} from '../schemas.js';

/** Same body whether or not the email has an account: the answer must not reveal it. */
const RESET_REQUESTED = {
  status: 'accepted',
  message: 'If an account with this email exists, a reset token is on its way to it.',
} as const;

export interface AuthRouteDeps {
  log?: Logger;
  /** How reset tokens reach the account holder: by email only (null: they cannot). */
  mailer: EmailSender | null;
}

export function authRoutes(config: AppConfig, forcedRole: Role | undefined, deps: AuthRouteDeps) {
  const log = deps.log ?? createLogger('api:auth', config.LOG_LEVEL);
  const throttle = {
    maxFailures: config.LOGIN_MAX_FAILURES,
    maxAccountFailures: config.LOGIN_MAX_ACCOUNT_FAILURES,
    windowMs: config.LOGIN_FAILURE_WINDOW,
  };
  // On a role-forced mount the session must be of that role too (a traveler has no owner profile).
  const ofThisRole = signedIn(...(forcedRole ? [forcedRole] : []));
  const anAccount = {
    any: 'an account',
    traveler: 'a traveler account',
    owner: 'an owner account',
  }[forcedRole ?? 'any'];
  // Documented on role-forced mounts only; left out of the route types (handlers never answer it).
  const wrongRole = (
    forcedRole ? { 403: errorResponse(`Only ${forcedRole} accounts`) } : {}
  ) as Record<never, never>;
  // A role-forced sign-up takes no role: the mount gives it.
  const signUpSchema = forcedRole
    ? roleForcedSignUpBody.transform((body) => ({ ...body, role: forcedRole }))
    : signUpBody;

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

  return new ApiRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/signup',
        summary: forcedRole
          ? `Create ${anAccount} and open a session`
          : 'Create an account (traveler or owner) and open a session',
        tags: ['auth'],
        request: { body: jsonBody(signUpSchema) },
        responses: {
          201: jsonResponse(
            SessionOpened,
            'The token is also set as the httpOnly staysaga_session cookie',
          ),
          400: errorResponse('Invalid body or unknown fields'),
          409: errorResponse('An account with this email already exists (whatever its role)'),
        },
      }),
      async (c) => {
        const user = await signUp(c.req.valid('json'));
        return c.json(await startSession(c, user), 201);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/login',
        summary: `Log in to ${anAccount} and open a session`,
        tags: ['auth'],
        request: { body: jsonBody(credentials) },
        responses: {
          200: jsonResponse(
            SessionOpened,
            'The token is also set as the httpOnly staysaga_session cookie',
          ),
          400: errorResponse('Invalid body'),
          401: errorResponse(
            forcedRole
              ? `Email or password is incorrect, or it is not ${anAccount}`
              : 'Email or password is incorrect',
          ),
          429: errorResponse(
            'Too many failed log-ins for this email from this client; see Retry-After',
          ),
          503: errorResponse(
            'Too many log-ins of this account at the same moment; retry after Retry-After',
          ),
        },
      }),
      async (c) => {
        const { user, fromTrustedDevice } = await logInThrottled({
          ...c.req.valid('json'),
          role: forcedRole,
          clientIp: clientIp(c, config.TRUST_PROXY),
          deviceToken: getCookie(c, DEVICE_COOKIE),
          throttle,
        });
        return c.json(await startSession(c, user, fromTrustedDevice), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/logout',
        summary: 'Revoke the current session',
        tags: ['auth'],
        ...signedIn(),
        responses: {
          204: { description: 'Session revoked; the cookie is cleared' },
          401: errorResponse('Not logged in'),
        },
      }),
      async (c) => {
        await revokeSession(c.get('sessionToken'));
        deleteCookie(c, SESSION_COOKIE, { path: '/' });
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/me',
        summary: 'Who is logged in',
        tags: ['auth'],
        ...ofThisRole,
        responses: {
          200: jsonResponse(Me, 'The signed-in user'),
          401: errorResponse('Not logged in'),
          ...wrongRole,
        },
      }),
      async (c) => {
        const { id, email, name, role } = await readProfile(c.get('user').id);
        return c.json({ user: { id, email, name, role } }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/profile',
        summary: 'Read my profile',
        tags: ['auth'],
        ...ofThisRole,
        responses: {
          200: jsonResponse(ProfileAnswer, 'My profile'),
          401: errorResponse('Not logged in'),
          ...wrongRole,
        },
      }),
      async (c) => c.json({ profile: await readProfile(c.get('user').id) }, 200),
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/profile',
        summary:
          'Change my name, phone, bio or avatar (email, role and password are not changed here)',
        tags: ['auth'],
        ...ofThisRole,
        request: { body: jsonBody(profileBody) },
        responses: {
          200: jsonResponse(ProfileAnswer, 'My profile as changed'),
          400: errorResponse('Invalid value or unknown field (email, role and password included)'),
          401: errorResponse('Not logged in'),
          ...wrongRole,
        },
      }),
      async (c) => {
        const profile = await updateProfile(c.get('user').id, c.req.valid('json'));
        return c.json({ profile }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/password-reset/request',
        summary: `Send a single-use password reset token to ${anAccount}`,
        tags: ['auth'],
        request: { body: jsonBody(resetRequestBody) },
        responses: {
          202: jsonResponse(
            ResetRequested,
            'Always the same answer, whether or not the email has an account',
          ),
          400: errorResponse('Invalid body'),
        },
      }),
      (c) => {
        // Not awaited: an account's reset takes longer (token, message) than an unknown email's,
        // and that difference in response time would tell which emails have accounts.
        void requestPasswordReset({
          email: c.req.valid('json').email,
          role: forcedRole,
          ttlMs: config.PASSWORD_RESET_TTL,
          mailer: deps.mailer,
          webAppUrl: config.WEB_APP_URL,
        }).catch((error: unknown) => log.error('password reset request failed', { error }));
        return c.json(RESET_REQUESTED, 202);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/password-reset/confirm',
        summary: 'Set a new password with a reset token; every session of the account is revoked',
        tags: ['auth'],
        request: { body: jsonBody(resetConfirmBody) },
        responses: {
          204: { description: 'Password changed' },
          400: errorResponse(
            'Invalid body, or the token is unknown, used or expired (invalid_reset_token)',
          ),
        },
      }),
      async (c) => {
        const { token, newPassword } = c.req.valid('json');
        await confirmPasswordReset(token, newPassword);
        deleteCookie(c, SESSION_COOKIE, { path: '/' });
        return c.body(null, 204);
      },
    );
}
