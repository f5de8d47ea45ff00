/** Seed Backend service: accounts and sessions (`/api/auth/*`, plus role-forced aliases). */
import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AppConfig } from '../../config/env.js';
import { User, type UserDoc } from '../../db/models.js';
import {
  logIn,
  openSession,
  publicUser,
  revokeSession,
  signUp,
  type Role,
} from '../../services/accounts.js';
import { notFound } from '../../services/errors.js';
import { requireUser, SESSION_COOKIE, type AppEnv } from '../auth-middleware.js';
import { readBody } from '../http.js';

const credentials = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(8).max(200),
});
const signUpBody = credentials.extend({
  name: z.string().trim().min(1).max(100),
  role: z.enum(['traveler', 'owner']),
});

export function authRoutes(config: AppConfig, forcedRole?: Role) {
  const app = new Hono<AppEnv>();

  const startSession = async (c: Context<AppEnv>, user: UserDoc) => {
    const view = publicUser(user);
    const session = await openSession(view, config.SESSION_TTL);
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      expires: session.expiresAt,
    });
    return { user: view, token: session.token, expiresAt: session.expiresAt.toISOString() };
  };

  app.post('/signup', async (c) => {
    const schema = forcedRole ? signUpBody.omit({ role: true }) : signUpBody;
    const body = (await readBody(c, schema)) as z.infer<typeof signUpBody>;
    const user = await signUp({ ...body, role: forcedRole ?? body.role });
    return c.json(await startSession(c, user), 201);
  });

  app.post('/login', async (c) => {
    const body = await readBody(c, credentials);
    const user = await logIn(body.email, body.password, forcedRole);
    return c.json(await startSession(c, user));
  });

  app.post('/logout', requireUser(), async (c) => {
    await revokeSession(c.get('sessionToken'));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  app.get('/me', requireUser(), async (c) => {
    const user = await User.findById(c.get('user').id).lean<UserDoc>();
    if (!user) throw notFound('User');
    return c.json({ user: publicUser(user) });
  });

  return app;
}
