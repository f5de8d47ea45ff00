/**
 * Browsers an account logged in from before. A successful sign-up or log-in hands the browser a
 * random device token (an httpOnly cookie); a later log-in that presents it for the same
 * account is throttled on that device's own count, so failures typed elsewhere (even behind
 * the same address) never lock the account holder out. The token proves nothing by itself: the
 * password is still checked, and a device that fails too often is locked like any client.
 */
import { findTrustedDevice, insertTrustedDevice } from '../db/trusted-devices.js';
import { hashToken, newBearerSecret } from './bearer-secrets.js';

/** Trusts the browser that just proved the password; returns the token for its cookie. */
export async function trustDevice(user: { id: string; email: string }, ttlMs: number) {
  const token = newBearerSecret();
  const expiresAt = new Date(Date.now() + ttlMs);
  await insertTrustedDevice({
    tokenHash: hashToken(token),
    userId: user.id,
    email: user.email.trim().toLowerCase(),
    expiresAt,
  });
  return { token, expiresAt };
}

/** The id of the live device this token names, when it was trusted by `email`'s account. */
export async function trustedDeviceId(token: string, email: string): Promise<string | null> {
  const id = hashToken(token);
  const device = await findTrustedDevice(id);
  if (!device || device.expiresAt.getTime() <= Date.now()) return null;
  return device.email === email.trim().toLowerCase() ? id : null;
}
