/**
 * Password reset by a single-use, expiring token. The token goes by email only, to the
 * account's address: never to the log, and never to the in-app notifications, where whoever
 * holds a stolen session could read it and take the account over (and where someone who
 * really forgot their password cannot). We keep its SHA-256, so a leaked `password_resets`
 * collection cannot be used either. A token lives until it is used or expires.
 */
import { insertPasswordReset, spendPasswordReset } from '../db/password-resets.js';
import { findUserByEmail, setPasswordHash } from '../db/users.js';
import type { EmailSender } from '../notifications/email.js';
import { hashPassword, revokeAllSessions, type Role } from './accounts.js';
import { hashToken, newBearerSecret } from './bearer-secrets.js';
import { DomainError } from '../domain/errors.js';

export interface PasswordResetRequest {
  email: string;
  /** On a role-forced route (`/api/owners/...`), only an account of that role gets a token. */
  role?: Role;
  ttlMs: number;
  /** The SMTP sender; without one no reset can be delivered. */
  mailer: EmailSender | null;
  /** The web app's address, for the link to its reset page (config WEB_APP_URL). */
  webAppUrl: string;
}

const invalidResetToken = () =>
  new DomainError('invalid_reset_token', 'This reset token is invalid, used or expired');

/** The token stays alone on the second line: API clients (and the README's session) read it there. */
function resetEmail(to: string, token: string, ttlMs: number, webAppUrl: string) {
  const minutes = Math.max(1, Math.round(ttlMs / 60_000));
  const link = new URL('/reset-password', webAppUrl);
  link.searchParams.set('token', token);
  return {
    to,
    subject: 'Reset your StaySaga password',
    text:
      `Your password reset token:\n${token}\n` +
      `Open ${link.href} to choose a new password, or send the token with your new password to ` +
      `POST /api/auth/password-reset/confirm. It works once, within ${minutes} minutes.\n` +
      'If you did not ask to reset your password, ignore this message: nothing changes.',
  };
}

/**
 * Issues a token when the email has an account and sends it to that account. The caller answers
 * the same way whatever happens here, so nobody learns which emails have accounts.
 * @returns whether a token was issued (for logs and tests, never for the HTTP answer)
 */
export async function requestPasswordReset(request: PasswordResetRequest): Promise<boolean> {
  const user = await findUserByEmail(request.email, request.role);
  if (!user) return false;
  if (!request.mailer) throw new Error('no SMTP_URL is configured: a reset token cannot be sent');

  const token = newBearerSecret();
  const tokenHash = hashToken(token);
  await insertPasswordReset({
    tokenHash,
    userId: user._id.toString(),
    expiresAt: new Date(Date.now() + request.ttlMs),
  });
  await request.mailer.send(resetEmail(user.email, token, request.ttlMs, request.webAppUrl));
  return true;
}

/**
 * Sets a new password with a reset token, then revokes every session of the account: whoever
 * knew the old password is logged out too. The token is spent by deleting its document and
 * only the request whose delete removed it goes on, so of two concurrent confirms exactly one
 * succeeds (a conditional `usedAt` update would let both through on FerretDB 1.x, whose updates
 * are a read then an unconditional write).
 */
export async function confirmPasswordReset(token: string, newPassword: string): Promise<void> {
  // Hash first (scrypt is slow): the token is only spent once the new password is ready.
  const passwordHash = await hashPassword(newPassword);
  const userId = await spendPasswordReset(hashToken(token), new Date());
  if (!userId || !(await setPasswordHash(userId, passwordHash))) throw invalidResetToken();
  await revokeAllSessions(userId);
}
