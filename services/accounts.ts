/**
 * Accounts and sessions. Passwords are hashed with scrypt (a deliberately slow hash); session
 * tokens are random, only their SHA-256 is stored, so a leaked sessions collection grants nothing.
 */
import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { deleteSession, deleteSessionsOfUser, findSession, insertSession } from '../db/sessions.js';
import {
  findUserByEmail,
  findUserById,
  insertUser,
  updateUserProfile,
  type ProfileFields,
  type UserDoc,
} from '../db/users.js';
import { hashToken, newBearerSecret } from './bearer-secrets.js';
import { discardUploadedAvatar } from './photos.js';
import { Bulkhead } from './bulkhead.js';
import { trustedDeviceId } from './trusted-devices.js';
import { DomainError, notFound } from '../domain/errors.js';
import {
  accountAttemptKey,
  clearLogInAttempts,
  deviceAttemptKey,
  loginAttemptKey,
  refuseWhenSpent,
  reserveLogInAttempt,
  spendFailure,
} from './login-throttle.js';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

/**
 * scrypt costs about 60 ms of CPU per hash on purpose. Node runs it on the libuv thread pool
 * (4 threads), so a burst of log-ins could take every core from the event loop that serves
 * searches, bookings and the Temporal and Kafka clients. Hashes queue for a few slots instead:
 * by default one core fewer than the machine has (PASSWORD_HASH_CONCURRENCY overrides).
 */
const hashingSlots = new Bulkhead(Math.max(1, availableParallelism() - 1));

export function limitPasswordHashing(concurrency: number): void {
  hashingSlots.resize(concurrency);
}

const slowHash = (password: string, salt: Buffer, keylen: number, options: typeof SCRYPT) =>
  hashingSlots.run(() => scryptAsync(password, salt, keylen, options));

export type Role = 'traveler' | 'owner';
export interface AuthUser {
  id: string;
  role: Role;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await slowHash(password, salt, KEY_LENGTH, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await slowHash(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export function publicUser(user: UserDoc): PublicUser {
  return {
    id: user._id.toString(),
    email: user.email,
    name: user.name,
    role: user.role,
  };
}

export async function signUp(input: {
  email: string;
  password: string;
  name: string;
  role: Role;
}): Promise<PublicUser> {
  const user = await insertUser({
    email: input.email,
    name: input.name,
    role: input.role,
    passwordHash: await hashPassword(input.password),
  });
  if (!user) throw new DomainError('email_taken', 'An account with this email already exists');
  return publicUser(user);
}

// Checked when the email is unknown, so that answer takes as long as a wrong password and the
// response time does not tell which emails have accounts.
let unknownAccountHash: Promise<string> | undefined;
const hashForUnknownAccount = () => (unknownAccountHash ??= hashPassword(randomUUID()));

/** Same answer for an unknown email and a wrong password: no account enumeration. */
export async function logIn(email: string, password: string, role?: Role): Promise<UserDoc> {
  const user = await findUserByEmail(email);
  const valid = await verifyPassword(
    password,
    user ? user.passwordHash : await hashForUnknownAccount(),
  );
  if (!user || !valid || (role && user.role !== role)) {
    throw new DomainError('invalid_credentials', 'Email or password is incorrect');
  }
  return user;
}

export interface LogInThrottle {
  /** Attempts of one client (its trusted device, else its address) per window. */
  maxFailures: number;
  /** Failures of all untrusted clients of one account together per window. */
  maxAccountFailures: number;
  windowMs: number;
}

/**
 * Log-in behind the throttle (see login-throttle.ts): refused with 429 once this client's
 * attempts, or the account's budget for untrusted clients, are used up, even with the right
 * password. A success starts this client's count again; the account's budget only runs out.
 */
export async function logInThrottled(input: {
  email: string;
  password: string;
  role?: Role;
  clientIp: string;
  /** The `staysaga_device` cookie, when the browser sent one. */
  deviceToken?: string;
  throttle: LogInThrottle;
}): Promise<{ user: PublicUser; fromTrustedDevice: boolean }> {
  const { email, throttle } = input;
  const deviceId = input.deviceToken ? await trustedDeviceId(input.deviceToken, email) : null;
  const clientKey = deviceId
    ? deviceAttemptKey(email, deviceId)
    : loginAttemptKey(email, input.clientIp);
  const accountBudget = { maxFailures: throttle.maxAccountFailures, windowMs: throttle.windowMs };
  await reserveLogInAttempt(clientKey, throttle);
  if (!deviceId) await refuseWhenSpent(accountAttemptKey(email), accountBudget);
  try {
    const user = await logIn(email, input.password, input.role);
    await clearLogInAttempts(clientKey);
    return { user: publicUser(user), fromTrustedDevice: deviceId !== null };
  } catch (error) {
    if (!deviceId) await spendFailure(accountAttemptKey(email), throttle.windowMs);
    throw error;
  }
}

export { hashToken };

export async function openSession(user: AuthUser, ttlMs: number) {
  const token = newBearerSecret();
  const expiresAt = new Date(Date.now() + ttlMs);
  await insertSession({ tokenHash: hashToken(token), userId: user.id, role: user.role, expiresAt });
  return { token, expiresAt };
}

/** The user behind a session token, or null when it is unknown, revoked or expired. */
export async function resolveSession(token: string): Promise<AuthUser | null> {
  // By `_id` alone, expiry checked here: FerretDB serves only an exact `{_id}` filter from its
  // index, and this runs on every authenticated request.
  const session = await findSession(hashToken(token));
  if (!session || session.expiresAt.getTime() <= Date.now()) return null;
  return { id: session.userId.toString(), role: session.role };
}

export async function revokeSession(token: string): Promise<void> {
  await deleteSession(hashToken(token));
}

/** Log-out everywhere: after a password reset no session opened with the old password lives on. */
export async function revokeAllSessions(userId: string): Promise<number> {
  return deleteSessionsOfUser(userId);
}

export function profileView(user: UserDoc) {
  return {
    ...publicUser(user),
    phone: user.phone,
    bio: user.bio,
    avatarUrl: user.avatarUrl,
  };
}

export type ProfileChanges = ProfileFields;

export async function readProfile(userId: string) {
  const user = await findUserById(userId);
  if (!user) throw notFound('User');
  return profileView(user);
}

/** Only the profile fields: email, role and password have their own, stricter paths. */
export async function updateProfile(userId: string, changes: ProfileChanges) {
  // A picture link given here replaces an uploaded avatar, whose files go with it.
  if (changes.avatarUrl !== undefined) await discardUploadedAvatar(userId);
  const user = await updateUserProfile(userId, changes);
  if (!user) throw notFound('User');
  return profileView(user);
}
