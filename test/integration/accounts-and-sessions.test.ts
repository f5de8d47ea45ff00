/**
 * The accounts service on the real stack: sign-up, log-in, log-out and sessions (Bearer and
 * cookie), the role-forced aliases, profiles, password reset by a single-use token delivered
 * through the notification channel, the shared log-in throttle, and the purge that stands in
 * for TTL indexes. Sessions, tokens and counters are checked where they live, in Mongo.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  LoginAttempt,
  Notification,
  PasswordReset,
  Session,
  TrustedDevice,
  User,
} from '../../db/models.js';
import type { Logger } from '../../config/logger.js';
import {
  purgeExpiredAccountRecords,
  startAccountMaintenance,
} from '../../services/account-maintenance.js';
import { hashToken } from '../../services/accounts.js';
import { DomainError } from '../../domain/errors.js';
import { clearLogInAttempts, reserveLogInAttempt } from '../../services/login-throttle.js';
import { api, localMailbox, signUp } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { connectTestDatabase, disconnectTestDatabase } from '../support/stack-clients.js';

const PASSWORD = 'a-long-password';

beforeAll(async () => {
  await connectTestDatabase();
});

afterAll(async () => {
  await disconnectTestDatabase();
});

const uniqueEmail = (label: string) => `${label}-${randomUUID()}@example.com`;

function signUpAt(base: string, body: Record<string, unknown>) {
  return api(`${base}/signup`, { method: 'POST', body });
}

function logIn(base: string, email: string, password: string) {
  return api(`${base}/login`, { method: 'POST', body: { email, password } });
}

/** The `staysaga_session=...` pair from a Set-Cookie header, ready to send back. */
function sessionCookie(headers: Headers): string {
  const cookie = headers.getSetCookie().find((c) => c.startsWith('staysaga_session='));
  if (!cookie) throw new Error('no staysaga_session cookie was set');
  return cookie.split(';')[0] as string;
}

/**
 * The reset token from the password-reset email of an address, read from the local mailbox
 * (Mailpit) as the account holder would. It reaches nobody else: no in-app notification, where
 * a stolen session could read it, holds the token.
 */
async function resetTokenSentTo(email: string): Promise<string> {
  const mail = await localMailbox().waitForMessage(email, /^Reset your StaySaga password$/);
  const token = mail.text.match(/token:\r?\n([A-Za-z0-9_-]+)\r?\n/)?.[1];
  if (!token) throw new Error(`no token in the reset email: ${mail.text}`);
  const user = await User.findOne({ email }).lean();
  const inApp = await Notification.find({ userId: user?._id }).lean();
  expect(inApp.filter((n) => n.body.includes(token) || n.kind === 'password-reset')).toEqual([]);
  return token;
}

/**
 * The throttle counter of an email from the test client's address, whatever address the server
 * saw it at (not the account's shared budget `|*`, nor a trusted device's `|device:` counter).
 */
function attemptsOf(email: string) {
  const escaped = email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return { _id: { $regex: `^${escaped}\\|[0-9:]` } };
}

/**
 * A log-in sent from a loopback address of our choosing (127.0.0.2, ...), as a client on
 * another machine would, optionally with the cookies a browser would send back.
 */
function logInFrom(
  localAddress: string,
  email: string,
  password: string,
  cookies: string[] = [],
  forwardedFor?: string,
): Promise<{ status: number; setCookies: string[] }> {
  const url = new URL('/api/auth/login', inject('apiUrl'));
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        localAddress,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(cookies.length > 0 ? { cookie: cookies.join('; ') } : {}),
          ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            setCookies: response.headers['set-cookie'] ?? [],
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** The `staysaga_device=...` pair a successful sign-up or log-in set. */
function deviceCookie(setCookies: string[]): string {
  const cookie = setCookies.find((c) => c.startsWith('staysaga_device='));
  if (!cookie) throw new Error('no staysaga_device cookie was set');
  expect(cookie).toMatch(/HttpOnly/i);
  expect(cookie).toMatch(/Path=\/api/);
  return cookie.split(';')[0] as string;
}

function requestReset(email: string) {
  return api('/api/auth/password-reset/request', { method: 'POST', body: { email } });
}

function confirmReset(token: string, newPassword: string) {
  return api('/api/auth/password-reset/confirm', {
    method: 'POST',
    body: { token, newPassword },
  });
}

describe('sign-up, log-in, me and log-out', () => {
  it('works with the Bearer token and the session is stored only as a hash', async () => {
    const email = uniqueEmail('bearer');
    const signedUp = await signUpAt('/api/auth', {
      email,
      password: PASSWORD,
      name: 'Bea',
      role: 'traveler',
    });
    expect(signedUp.status).toBe(201);
    expect(signedUp.body.user).toMatchObject({ email, name: 'Bea', role: 'traveler' });
    expect(Date.parse(signedUp.body.expiresAt)).toBeGreaterThan(Date.now());

    const loggedIn = await logIn('/api/auth', email.toUpperCase(), PASSWORD);
    expect(loggedIn.status).toBe(200);
    const token = loggedIn.body.token as string;
    expect(await Session.countDocuments({ _id: token })).toBe(0);
    expect(await Session.countDocuments({ _id: hashToken(token) })).toBe(1);

    const me = await api('/api/auth/me', { token });
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual({
      id: signedUp.body.user.id,
      email,
      name: 'Bea',
      role: 'traveler',
    });

    const loggedOut = await api('/api/auth/logout', { method: 'POST', token });
    expect(loggedOut.status).toBe(204);
    const afterLogout = await api('/api/auth/me', { token });
    expect(afterLogout.status).toBe(401);
    expect(afterLogout.body.error.code).toBe('unauthenticated');
    expect(await Session.countDocuments({ _id: hashToken(token) })).toBe(0);
    // The sign-up session is a different one and still lives.
    expect((await api('/api/auth/me', { token: signedUp.body.token })).status).toBe(200);
  });

  it('works with the httpOnly cookie alone, and log-out through the cookie revokes it', async () => {
    const email = uniqueEmail('cookie');
    const signedUp = await signUpAt('/api/owners', { email, password: PASSWORD, name: 'Coco' });
    expect(signedUp.status).toBe(201);
    const setCookie = signedUp.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/staysaga_session=[^;]+;/);
    expect(setCookie).toMatch(/HttpOnly/i);
    const cookie = sessionCookie(signedUp.headers);

    const me = await api('/api/auth/me', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email, role: 'owner' });

    const loggedOut = await api('/api/auth/logout', { method: 'POST', headers: { cookie } });
    expect(loggedOut.status).toBe(204);
    expect(loggedOut.headers.getSetCookie().join('\n')).toMatch(/staysaga_session=;/);
    expect((await api('/api/auth/me', { headers: { cookie } })).status).toBe(401);
  });

  it('refuses a second account with the same email in any role and any case with 409', async () => {
    const email = uniqueEmail('taken');
    expect(
      (await signUpAt('/api/travelers', { email, password: PASSWORD, name: 'T' })).status,
    ).toBe(201);
    const asOwner = await signUpAt('/api/auth', {
      email: email.toUpperCase(),
      password: PASSWORD,
      name: 'O',
      role: 'owner',
    });
    expect(asOwner.status).toBe(409);
    expect(asOwner.body.error.code).toBe('email_taken');
    const viaAlias = await signUpAt('/api/owners', { email, password: PASSWORD, name: 'O' });
    expect(viaAlias.status).toBe(409);
  });

  it('forces the role on the aliases: a traveler cannot log in or read /me as an owner', async () => {
    const email = uniqueEmail('alias');
    const signedUp = await signUpAt('/api/travelers', { email, password: PASSWORD, name: 'Al' });
    expect(signedUp.status).toBe(201);
    expect(signedUp.body.user.role).toBe('traveler');

    const asOwner = await logIn('/api/owners', email, PASSWORD);
    expect(asOwner.status).toBe(401);
    expect(asOwner.body.error.code).toBe('invalid_credentials');
    expect((await logIn('/api/travelers', email, PASSWORD)).status).toBe(200);

    expect((await api('/api/owners/me', { token: signedUp.body.token })).status).toBe(403);
    expect((await api('/api/travelers/me', { token: signedUp.body.token })).status).toBe(200);
    // The alias sign-up has no role field to choose: sending one is an unknown field.
    const withRole = await signUpAt('/api/travelers', {
      email: uniqueEmail('alias-role'),
      password: PASSWORD,
      name: 'R',
      role: 'owner',
    });
    expect(withRole.status).toBe(400);
    expect(withRole.body.error.code).toBe('validation_failed');
  });

  it('refuses an expired session on every read', async () => {
    const traveler = await signUp('traveler');
    expect((await api('/api/auth/me', { token: traveler.token })).status).toBe(200);
    await Session.updateOne(
      { _id: hashToken(traveler.token) },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );
    expect((await api('/api/auth/me', { token: traveler.token })).status).toBe(401);
    expect((await api('/api/auth/profile', { token: traveler.token })).status).toBe(401);
    expect((await api('/api/travelers/bookings', { token: traveler.token })).status).toBe(401);
  });

  it('answers bad input with 4xx JSON errors, never a 500', async () => {
    const badJson = await api('/api/auth/login', {
      method: 'POST',
      rawBody: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('invalid_json');
    const unknownField = await api('/api/auth/login', {
      method: 'POST',
      body: { email: uniqueEmail('x'), password: PASSWORD, admin: true },
    });
    expect(unknownField.status).toBe(400);
    const badEmail = await signUpAt('/api/auth', {
      email: 'not-an-email',
      password: PASSWORD,
      name: 'N',
      role: 'traveler',
    });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'email' })]),
    );
    expect((await api('/api/auth/logout', { method: 'POST' })).status).toBe(401);
  });
});

describe('profile', () => {
  it('reads and updates name, phone, bio and avatar', async () => {
    const owner = await signUp('owner', 'Olivia');
    const initial = await api('/api/auth/profile', { token: owner.token });
    expect(initial.status).toBe(200);
    expect(initial.body.profile).toEqual({
      id: owner.id,
      email: owner.email,
      name: 'Olivia',
      role: 'owner',
      phone: '',
      bio: '',
      avatarUrl: '',
    });

    const changes = {
      name: 'Olivia Costa',
      phone: '+351 912 345 678',
      bio: 'Hosting in Lisbon since 2019.',
      avatarUrl: 'https://images.example.com/olivia.png',
    };
    const updated = await api('/api/auth/profile', {
      method: 'PUT',
      token: owner.token,
      body: changes,
    });
    expect(updated.status).toBe(200);
    expect(updated.body.profile).toEqual({ ...initial.body.profile, ...changes });

    const onAlias = await api('/api/owners/profile', { token: owner.token });
    expect(onAlias.body.profile).toEqual(updated.body.profile);
    const partial = await api('/api/auth/profile', {
      method: 'PUT',
      token: owner.token,
      body: { bio: '' },
    });
    expect(partial.body.profile).toEqual({ ...updated.body.profile, bio: '' });
  });

  it('refuses email, role, password, unknown fields and bad values with 400', async () => {
    const traveler = await signUp('traveler');
    for (const body of [
      { email: uniqueEmail('new') },
      { role: 'owner' },
      { password: 'another-long-password' },
      { name: 'Ok', passwordHash: 'x' },
      { avatarUrl: 'javascript:alert(1)' },
      { avatarUrl: 'not a url' },
      { name: '' },
      {},
    ]) {
      const res = await api('/api/auth/profile', { method: 'PUT', token: traveler.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const profile = await api('/api/auth/profile', { token: traveler.token });
    expect(profile.body.profile).toMatchObject({ email: traveler.email, role: 'traveler' });
    expect((await api('/api/auth/profile')).status).toBe(401);
  });
});

describe('password reset', () => {
  it('answers the same for unknown and known emails; the token works once and revokes sessions', async () => {
    const traveler = await signUp('traveler');
    const unknown = await requestReset(uniqueEmail('nobody'));
    const known = await requestReset(traveler.email.toUpperCase());
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);

    const token = await resetTokenSentTo(traveler.email);
    const stored = await PasswordReset.findById(hashToken(token)).lean();
    expect(stored).toMatchObject({ userId: new mongoose.Types.ObjectId(traveler.id) });
    expect(stored!.expiresAt.getTime()).toBeGreaterThan(Date.now());

    const confirmed = await confirmReset(token, 'a-brand-new-password');
    expect(confirmed.status).toBe(204);
    // Spent: the token's document is gone.
    expect(await PasswordReset.countDocuments({ _id: hashToken(token) })).toBe(0);

    // Every session opened before the reset is gone.
    expect((await api('/api/auth/me', { token: traveler.token })).status).toBe(401);
    expect(await Session.countDocuments({ userId: new mongoose.Types.ObjectId(traveler.id) })).toBe(
      0,
    );
    expect((await logIn('/api/auth', traveler.email, PASSWORD)).status).toBe(401);
    const withNew = await logIn('/api/auth', traveler.email, 'a-brand-new-password');
    expect(withNew.status).toBe(200);

    const again = await confirmReset(token, 'yet-another-password');
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('invalid_reset_token');
    expect((await logIn('/api/auth', traveler.email, 'a-brand-new-password')).status).toBe(200);
  });

  it('lets only one of several concurrent confirms with the same token succeed', async () => {
    const owner = await signUp('owner');
    expect((await requestReset(owner.email)).status).toBe(202);
    const token = await resetTokenSentTo(owner.email);
    const candidates = ['first', 'second', 'third', 'fourth'].map((n) => `${n}-new-password`);
    const results = await Promise.all(candidates.map((p) => confirmReset(token, p)));
    expect(results.map((r) => r.status).sort()).toEqual([204, 400, 400, 400]);
    const winner = candidates[results.findIndex((r) => r.status === 204)]!;
    expect((await logIn('/api/auth', owner.email, winner)).status).toBe(200);
    for (const loser of candidates.filter((p) => p !== winner)) {
      expect((await logIn('/api/auth', owner.email, loser)).status).toBe(401);
    }
  });

  it('refuses an expired or unknown token with 400 and leaves the password alone', async () => {
    const traveler = await signUp('traveler');
    expect((await requestReset(traveler.email)).status).toBe(202);
    const token = await resetTokenSentTo(traveler.email);
    await PasswordReset.updateOne(
      { _id: hashToken(token) },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );

    const expired = await confirmReset(token, 'too-late-password');
    expect(expired.status).toBe(400);
    expect(expired.body.error.code).toBe('invalid_reset_token');
    const unknown = await confirmReset('not-a-real-token', 'some-new-password');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('invalid_reset_token');
    const weak = await confirmReset(token, 'short');
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('validation_failed');

    expect((await api('/api/auth/me', { token: traveler.token })).status).toBe(200);
    expect((await logIn('/api/auth', traveler.email, PASSWORD)).status).toBe(200);
  });
});

describe('log-in throttling', () => {
  it('refuses the right password with 429 and Retry-After after 5 failures', async () => {
    const traveler = await signUp('traveler');
    for (let attempt = 1; attempt <= 5; attempt++) {
      const wrong = await logIn('/api/auth', traveler.email, `wrong-password-${attempt}`);
      expect(wrong.status).toBe(401);
    }
    const locked = await logIn('/api/auth', traveler.email, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too_many_attempts');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // The alias shares the counter: it is per email and client, not per route.
    expect((await logIn('/api/travelers', traveler.email, PASSWORD)).status).toBe(429);

    // Once the window has passed (moved back here rather than waited for), the right password works.
    await LoginAttempt.updateOne(attemptsOf(traveler.email), {
      $set: { windowStartedAt: new Date(Date.now() - 16 * 60_000) },
    });
    // A failure after the window opens a new one, counting from one again.
    expect((await logIn('/api/auth', traveler.email, 'wrong-password-6')).status).toBe(401);
    const reopened = await LoginAttempt.findOne(attemptsOf(traveler.email)).lean();
    expect(reopened?.attempts).toBe(1);
    expect(Date.now() - reopened!.windowStartedAt.getTime()).toBeLessThan(60_000);
    expect((await logIn('/api/auth', traveler.email, PASSWORD)).status).toBe(200);
  });

  it("lets nobody lock out the account holder's browser, even from the same address", async () => {
    const email = uniqueEmail('victim');
    const signedUp = await signUpAt('/api/auth', {
      email,
      password: PASSWORD,
      name: 'V',
      role: 'traveler',
    });
    expect(signedUp.status).toBe(201);
    const device = deviceCookie(signedUp.headers.getSetCookie());
    // Someone on the same network (same address, no device cookie) guesses until locked out.
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await logInFrom('127.0.0.1', email, `wrong-guess-${attempt}`)).status).toBe(401);
    }
    expect((await logInFrom('127.0.0.1', email, PASSWORD)).status).toBe(429);
    // The account holder's own browser still gets in (and keeps its device cookie).
    const own = await logInFrom('127.0.0.1', email, PASSWORD, [device]);
    expect(own.status).toBe(200);
    expect(own.setCookies.some((c) => c.startsWith('staysaga_device='))).toBe(false);
    expect(await TrustedDevice.countDocuments({ email })).toBe(1);
    // A new browser is trusted from its first log-in on.
    const fresh = await logInFrom('127.0.0.6', email, PASSWORD);
    deviceCookie(fresh.setCookies);
    expect(await TrustedDevice.countDocuments({ email })).toBe(2);
    // A new browser of the holder elsewhere is not locked either: the count is per address.
    expect((await logInFrom('127.0.0.3', email, PASSWORD)).status).toBe(200);
  });

  it('throttles a stolen device cookie like any client: it proves nothing without the password', async () => {
    const email = uniqueEmail('device');
    const signedUp = await signUpAt('/api/auth', {
      email,
      password: PASSWORD,
      name: 'D',
      role: 'owner',
    });
    const device = deviceCookie(signedUp.headers.getSetCookie());
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await logInFrom('127.0.0.4', email, `wrong-guess-${attempt}`, [device])).status).toBe(
        401,
      );
    }
    expect((await logInFrom('127.0.0.4', email, PASSWORD, [device])).status).toBe(429);
    // A device cookie of another account is no trust for this one.
    const other = await signUpAt('/api/auth', {
      email: uniqueEmail('other'),
      password: PASSWORD,
      name: 'O',
      role: 'owner',
    });
    const foreign = deviceCookie(other.headers.getSetCookie());
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(
        (await logInFrom('127.0.0.5', email, `wrong-guess-${attempt}`, [foreign])).status,
      ).toBe(401);
    }
    expect((await logInFrom('127.0.0.5', email, PASSWORD, [foreign])).status).toBe(429);
  });

  it('counts the browser a proxy on this machine names (TRUST_PROXY=loopback), not the proxy', async () => {
    const email = uniqueEmail('proxied');
    expect(
      (await signUpAt('/api/auth', { email, password: PASSWORD, name: 'P', role: 'traveler' }))
        .status,
    ).toBe(201);
    // Two browsers behind the same local proxy (npm start's web server): only the guesser is locked.
    for (let attempt = 1; attempt <= 5; attempt++) {
      const guess = await logInFrom(
        '127.0.0.30',
        email,
        `wrong-guess-${attempt}`,
        [],
        '203.0.113.7',
      );
      expect(guess.status).toBe(401);
    }
    expect((await logInFrom('127.0.0.30', email, PASSWORD, [], '203.0.113.7')).status).toBe(429);
    expect((await logInFrom('127.0.0.30', email, PASSWORD, [], '203.0.113.8')).status).toBe(200);
    // Only the last entry counts (the one our proxy appended): a forged first one changes nothing.
    const forged = await logInFrom('127.0.0.30', email, PASSWORD, [], '198.51.100.1, 203.0.113.7');
    expect(forged.status).toBe(429);
  });

  it('shares one budget of 50 failures between all untrusted addresses of an account', async () => {
    const email = uniqueEmail('spread');
    const signedUp = await signUpAt('/api/auth', {
      email,
      password: PASSWORD,
      name: 'S',
      role: 'traveler',
    });
    const device = deviceCookie(signedUp.headers.getSetCookie());
    // Ten addresses, five guesses each: no address is locked by its own count...
    for (let host = 10; host < 20; host++) {
      for (let attempt = 1; attempt <= 5; attempt++) {
        expect((await logInFrom(`127.0.0.${host}`, email, `wrong-guess-${attempt}`)).status).toBe(
          401,
        );
      }
    }
    // ...but the account's budget for untrusted clients is spent, for any new address too.
    expect((await logInFrom('127.0.0.20', email, PASSWORD)).status).toBe(429);
    // The holder's trusted browser is not an untrusted client.
    expect((await logInFrom('127.0.0.20', email, PASSWORD, [device])).status).toBe(200);
  });

  it('clears the count after a successful log-in', async () => {
    const owner = await signUp('owner');
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect((await logIn('/api/auth', owner.email, 'wrong-password')).status).toBe(401);
    }
    expect((await logIn('/api/auth', owner.email, PASSWORD)).status).toBe(200);
    expect(await LoginAttempt.countDocuments(attemptsOf(owner.email))).toBe(0);
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect((await logIn('/api/auth', owner.email, 'wrong-password')).status).toBe(401);
    }
    expect((await logIn('/api/auth', owner.email, PASSWORD)).status).toBe(200);
  });

  it('counts racing attempts of one key without a database error, even while successes clear it', async () => {
    // Log-ins without the password hash in between: the tightest race for the window document.
    const key = `race-${randomUUID()}`;
    const policy = { maxFailures: 1000, windowMs: 60_000 };
    const outcomes = await Promise.all(
      Array.from({ length: 150 }, async (_, i) => {
        try {
          await reserveLogInAttempt(key, policy);
          if (i % 2 === 0) await clearLogInAttempts(key);
          return 'counted';
        } catch (error) {
          return error instanceof DomainError ? error.code : String(error);
        }
      }),
    );
    expect(outcomes.filter((o) => o !== 'counted' && o !== 'login_busy')).toEqual([]);
    await clearLogInAttempts(key);
  });

  it('answers a burst of concurrent log-ins of one account without a 500', async () => {
    // Found by the 500-user bench: racing log-ins opened the same window twice (E11000 -> 500).
    const traveler = await signUp('traveler');
    for (let burst = 0; burst < 3; burst++) {
      const answers = await Promise.all(
        Array.from({ length: 24 }, () => logIn('/api/auth', traveler.email, PASSWORD)),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => ![200, 429, 503].includes(s))).toEqual([]);
      expect(statuses).toContain(200);
      for (const answer of answers.filter((a) => a.status === 429 || a.status === 503)) {
        expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
      }
    }
  });
});

describe('purge of expired account records', () => {
  it('deletes expired sessions, expired reset tokens and closed windows, and keeps live ones', async () => {
    const [expiring, live] = await Promise.all([signUp('traveler'), signUp('owner')]);
    await Session.updateOne(
      { _id: hashToken(expiring.token) },
      { $set: { expiresAt: new Date(Date.now() - 60_000) } },
    );
    const userId = new mongoose.Types.ObjectId(live.id);
    const inAnHour = new Date(Date.now() + 3_600_000);
    const expired = randomUUID();
    const pending = randomUUID();
    await PasswordReset.create([
      { _id: expired, userId, expiresAt: new Date(Date.now() - 1000) },
      { _id: pending, userId, expiresAt: inAnHour },
    ]);
    const staleWindow = `stale-${randomUUID()}|127.0.0.1`;
    const openWindow = `open-${randomUUID()}|127.0.0.1`;
    await LoginAttempt.create([
      { _id: staleWindow, attempts: 3, windowStartedAt: new Date(Date.now() - 20 * 60_000) },
      { _id: openWindow, attempts: 3, windowStartedAt: new Date() },
    ]);

    const purged = await purgeExpiredAccountRecords({ loginFailureWindowMs: 15 * 60_000 });
    expect(purged.sessions).toBeGreaterThanOrEqual(1);
    expect(purged.passwordResets).toBeGreaterThanOrEqual(1);
    expect(purged.loginAttempts).toBeGreaterThanOrEqual(1);

    expect(await Session.countDocuments({ _id: hashToken(expiring.token) })).toBe(0);
    expect(await Session.countDocuments({ _id: hashToken(live.token) })).toBe(1);
    expect((await api('/api/auth/me', { token: live.token })).status).toBe(200);
    expect(await PasswordReset.countDocuments({ _id: expired })).toBe(0);
    expect(await PasswordReset.countDocuments({ _id: pending })).toBe(1);
    expect(await LoginAttempt.countDocuments({ _id: staleWindow })).toBe(0);
    expect(await LoginAttempt.countDocuments({ _id: openWindow })).toBe(1);
  });

  it('runs on a timer, logs what it purged at debug level, and stops cleanly', async () => {
    const logged: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const log: Logger = {
      debug: (message, fields) => logged.push({ level: 'debug', message, fields }),
      info: (message, fields) => logged.push({ level: 'info', message, fields }),
      warn: (message, fields) => logged.push({ level: 'warn', message, fields }),
      error: (message, fields) => logged.push({ level: 'error', message, fields }),
      child: () => log,
    };
    const traveler = await signUp('traveler');
    await Session.updateOne(
      { _id: hashToken(traveler.token) },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );

    const maintenance = startAccountMaintenance({
      intervalMs: 50,
      loginFailureWindowMs: 15 * 60_000,
      log,
    });
    try {
      await eventually(async () => {
        expect(await Session.countDocuments({ _id: hashToken(traveler.token) })).toBe(0);
      });
      const purged = logged.find((l) => l.message === 'purged expired account records');
      expect(purged?.level).toBe('debug');
      expect(purged?.fields).toEqual({
        sessions: expect.any(Number),
        passwordResets: expect.any(Number),
        loginAttempts: expect.any(Number),
        trustedDevices: expect.any(Number),
      });
    } finally {
      await maintenance.stop();
    }
    const runsAtStop = logged.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(logged.length).toBe(runsAtStop);
    expect(logged.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
