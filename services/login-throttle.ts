/**
 * Log-in throttling against password guessing. Attempts are counted in Mongo, not in memory, so
 * every API replica sees the same count and a restart forgets nothing. Each attempt counts
 * against one key of the account: its trusted device (a browser that logged in to it before)
 * when it comes from one, else the client address, plus the account's budget for all untrusted
 * clients together. A guesser therefore locks only itself out, never the account holder's own
 * browser, even from the same address (one NAT, one proxy).
 * The window is fixed: it opens at the first failed attempt and, once the limit is used up,
 * further attempts are refused (even with the right password) until it ends.
 *
 * An attempt is counted before the password is checked and the count is cleared on success:
 * counting only after a failure would let a burst of parallel guesses all pass the check
 * before any of them is counted. On FerretDB 1.x `$inc` is a read-then-write (its
 * findAndModify runs no transaction), so a burst may still be undercounted there; on MongoDB
 * the count is exact.
 */
import {
  countIntoLiveWindow,
  deleteWindow,
  findWindow,
  openWindow,
  type AttemptWindow,
} from '../db/login-attempts.js';
import { DomainError } from '../domain/errors.js';

export interface LoginThrottlePolicy {
  maxFailures: number;
  windowMs: number;
}

/** The throttle key of an account's attempts from one client address. */
export function loginAttemptKey(email: string, clientIp: string): string {
  return `${email.trim().toLowerCase()}|${clientIp}`;
}

/** The throttle key of an account's attempts from all untrusted clients together. */
export function accountAttemptKey(email: string): string {
  return `${email.trim().toLowerCase()}|*`;
}

/** The throttle key of an account's attempts from one of its trusted devices. */
export function deviceAttemptKey(email: string, deviceId: string): string {
  return `${email.trim().toLowerCase()}|device:${deviceId}`;
}

/**
 * A log-in that loses this many races for the window document (other log-ins of the same email
 * and client opening, clearing and reopening it meanwhile) is asked to retry instead.
 */
const MAX_COUNTING_ROUNDS = 8;

/** Counts one attempt into the live window, opening a new window when there is none. */
async function countAttempt(key: string, windowMs: number, now: Date): Promise<AttemptWindow> {
  const cutoff = new Date(now.getTime() - windowMs);
  // Another round only when a concurrent log-in inserted the window between our two updates
  // (its insert wins, and this attempt then counts into its window). A success deletes the
  // window, so under a burst of log-ins of one account this can repeat a few times.
  for (let round = 0; round < MAX_COUNTING_ROUNDS; round++) {
    const live = await countIntoLiveWindow(key, cutoff);
    if (live) return live;
    // No live window: replace a stale one, or insert the first.
    if (await openWindow(key, cutoff, now)) return { attempts: 1, windowStartedAt: now };
  }
  // Never count nothing and let the attempt through: the throttle fails closed.
  throw new DomainError('login_busy', 'Too many log-ins of this account at once; try again', {
    retryAfterSeconds: 1,
  });
}

/**
 * Takes one attempt from the key's allowance, or throws 429 `too_many_attempts` (details carry
 * `retryAfterSeconds`) once the allowance of the current window is used up.
 */
export async function reserveLogInAttempt(
  key: string,
  policy: LoginThrottlePolicy,
  now = new Date(),
): Promise<void> {
  const window = await countAttempt(key, policy.windowMs, now);
  if (window.attempts > policy.maxFailures) throw tooManyAttempts(window, policy, now);
}

function tooManyAttempts(window: AttemptWindow, policy: LoginThrottlePolicy, now: Date) {
  const windowEndsAt = window.windowStartedAt.getTime() + policy.windowMs;
  const retryAfterSeconds = Math.max(1, Math.ceil((windowEndsAt - now.getTime()) / 1000));
  return new DomainError('too_many_attempts', 'Too many failed log-ins; try again later', {
    retryAfterSeconds,
  });
}

/**
 * For a budget that only failures spend (the account's, shared by all untrusted clients):
 * throws 429 when the current window's failures have used it up. Counted after the password
 * check, so racing guesses may overshoot it a little; each client's own key, counted before the
 * check, bounds how much.
 */
export async function refuseWhenSpent(
  key: string,
  policy: LoginThrottlePolicy,
  now = new Date(),
): Promise<void> {
  const cutoff = new Date(now.getTime() - policy.windowMs);
  const window = await findWindow(key);
  if (!window || window.windowStartedAt <= cutoff) return;
  if (window.attempts >= policy.maxFailures) throw tooManyAttempts(window, policy, now);
}

/** Spends one failure of a budget checked by `refuseWhenSpent`. */
export async function spendFailure(key: string, windowMs: number, now = new Date()): Promise<void> {
  await countAttempt(key, windowMs, now);
}

/** A successful log-in starts the count again. */
export async function clearLogInAttempts(key: string): Promise<void> {
  await deleteWindow(key);
}
