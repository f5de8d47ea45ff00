/**
 * The `password_resets` collection: one outstanding token each, `_id` the SHA-256 of the token.
 * Using a token deletes its document: a delete is the one conditional write whose count FerretDB
 * 1.x reports exactly (its updates are a read then a write), so of two concurrent confirms only
 * one can win on either server.
 */
import { toObjectId } from './ids.js';
import { PasswordReset } from './models.js';

export async function insertPasswordReset(reset: {
  tokenHash: string;
  userId: string;
  expiresAt: Date;
}): Promise<void> {
  await PasswordReset.create({
    _id: reset.tokenHash,
    userId: toObjectId(reset.userId),
    expiresAt: reset.expiresAt,
  });
}

/**
 * Spends a live token: the id of its account when this call deleted it, null when it is
 * unknown, expired, or another call spent it first.
 */
export async function spendPasswordReset(tokenHash: string, now: Date): Promise<string | null> {
  const live = { _id: tokenHash, expiresAt: { $gt: now } };
  const reset = await PasswordReset.findOne(live).lean();
  if (!reset) return null;
  const spent = await PasswordReset.deleteOne(live);
  return spent.deletedCount === 1 ? reset.userId.toString() : null;
}

export async function deleteExpiredPasswordResets(now: Date): Promise<number> {
  return (await PasswordReset.deleteMany({ expiresAt: { $lte: now } })).deletedCount;
}
