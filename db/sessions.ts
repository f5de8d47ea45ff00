/**
 * The `sessions` collection. `_id` is the SHA-256 of the bearer token, so resolving a token on
 * every authenticated request is a primary-key read (FerretDB serves no other filter from an
 * index); expiry is checked by the caller.
 */
import { toObjectId } from './ids.js';
import { Session } from './models.js';

export async function insertSession(session: {
  tokenHash: string;
  userId: string;
  role: 'traveler' | 'owner';
  expiresAt: Date;
}): Promise<void> {
  await Session.create({
    _id: session.tokenHash,
    userId: toObjectId(session.userId),
    role: session.role,
    expiresAt: session.expiresAt,
  });
}

export function findSession(tokenHash: string) {
  return Session.findById(tokenHash).lean();
}

export async function deleteSession(tokenHash: string): Promise<void> {
  await Session.deleteOne({ _id: tokenHash });
}

export async function deleteSessionsOfUser(userId: string): Promise<number> {
  return (await Session.deleteMany({ userId: toObjectId(userId) })).deletedCount;
}

export async function deleteExpiredSessions(now: Date): Promise<number> {
  return (await Session.deleteMany({ expiresAt: { $lte: now } })).deletedCount;
}
