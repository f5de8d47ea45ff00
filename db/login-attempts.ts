/**
 * The `login_attempts` collection: one fixed window of attempts per throttle key, `_id` the key,
 * so every API replica counts into one document. On FerretDB 1.x `$inc` is a read-then-write
 * (its findAndModify runs no transaction), so a burst may be undercounted there; on MongoDB the
 * count is exact.
 */
import { isDuplicateKeyError } from './connection.js';
import { LoginAttempt } from './models.js';

export interface AttemptWindow {
  attempts: number;
  windowStartedAt: Date;
}

/** Adds one attempt to the window of `key` that opened after `cutoff`; null when there is none. */
export async function countIntoLiveWindow(key: string, cutoff: Date) {
  const live = await LoginAttempt.findOneAndUpdate(
    { _id: key, windowStartedAt: { $gt: cutoff } },
    { $inc: { attempts: 1 } },
    { returnDocument: 'after' },
  ).lean();
  return live ? { attempts: live.attempts, windowStartedAt: live.windowStartedAt } : null;
}

/**
 * Opens a window of one attempt at `now`, replacing one that closed by `cutoff`; false when a
 * racing log-in opened a live window first (its insert won).
 */
export async function openWindow(key: string, cutoff: Date, now: Date): Promise<boolean> {
  try {
    await LoginAttempt.updateOne(
      { _id: key, windowStartedAt: { $lte: cutoff } },
      { $set: { attempts: 1, windowStartedAt: now } },
      { upsert: true },
    );
    return true;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return false;
  }
}

export async function findWindow(key: string): Promise<AttemptWindow | null> {
  return LoginAttempt.findById(key).lean();
}

export async function deleteWindow(key: string): Promise<void> {
  await LoginAttempt.deleteOne({ _id: key });
}

export async function deleteWindowsOpenedBy(cutoff: Date): Promise<number> {
  return (await LoginAttempt.deleteMany({ windowStartedAt: { $lte: cutoff } })).deletedCount;
}
