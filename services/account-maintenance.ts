/**
 * Housekeeping for the accounts collections. A TTL index would do this in MongoDB, but FerretDB
 * has none, so the API server runs this purge every few minutes instead. It only removes what is
 * already dead (reads check `expiresAt` themselves), so running it late or twice is harmless.
 */
import type { Logger } from '../config/logger.js';
import { deleteWindowsOpenedBy } from '../db/login-attempts.js';
import { deleteExpiredPasswordResets } from '../db/password-resets.js';
import { deleteExpiredSessions } from '../db/sessions.js';
import { deleteExpiredTrustedDevices } from '../db/trusted-devices.js';

export interface PurgeCounts {
  sessions: number;
  passwordResets: number;
  loginAttempts: number;
  trustedDevices: number;
}

/** Deletes expired sessions, reset tokens and device trusts, and closed log-in windows. */
export async function purgeExpiredAccountRecords(options: {
  loginFailureWindowMs: number;
  now?: Date;
}): Promise<PurgeCounts> {
  const now = options.now ?? new Date();
  const windowCutoff = new Date(now.getTime() - options.loginFailureWindowMs);
  const [sessions, passwordResets, loginAttempts, trustedDevices] = await Promise.all([
    deleteExpiredSessions(now),
    // A used token is deleted when it is used, so only the expired ones are left here.
    deleteExpiredPasswordResets(now),
    deleteWindowsOpenedBy(windowCutoff),
    deleteExpiredTrustedDevices(now),
  ]);
  return { sessions, passwordResets, loginAttempts, trustedDevices };
}

export interface AccountMaintenance {
  /** Stops the timer and waits for a purge in progress, so shutdown never cuts one short. */
  stop(): Promise<void>;
}

export function startAccountMaintenance(options: {
  intervalMs: number;
  loginFailureWindowMs: number;
  log: Logger;
}): AccountMaintenance {
  const { log } = options;
  let running: Promise<void> | undefined;

  const purgeOnce = async () => {
    try {
      const counts = await purgeExpiredAccountRecords(options);
      log.debug('purged expired account records', { ...counts });
    } catch (error) {
      // The next run tries again; nothing depends on the purge being on time.
      log.warn('account purge failed', { error });
    }
  };

  const timer = setInterval(() => {
    // Skip a tick rather than overlap when one purge outlasts the interval.
    if (running) return;
    running = purgeOnce().finally(() => {
      running = undefined;
    });
  }, options.intervalMs);
  // Housekeeping must never be what keeps the process alive.
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
