/**
 * The `email_outbox` collection: emails owed, one per (user, cause), deleted by the sender that
 * takes one. It holds only what is still to be sent, so the scan for due entries stays small on
 * FerretDB (which serves no filter but `_id` from an index).
 */
import { isDuplicateKeyError } from './connection.js';
import { toObjectId } from './ids.js';
import { EmailOutbox, type EmailOutboxDoc } from './models.js';

export type { EmailOutboxDoc };

/** True when queued now, false when this email was queued already. */
export async function queueEmail(entry: {
  id: string;
  userId: string;
  kind: string;
  subject: string;
  text: string;
}): Promise<boolean> {
  try {
    await EmailOutbox.create({
      _id: entry.id,
      userId: toObjectId(entry.userId),
      kind: entry.kind,
      subject: entry.subject,
      text: entry.text,
      attempts: 0,
      notBefore: new Date(),
    });
    return true;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return false;
  }
}

/** Takes an entry out of the outbox; true for the one caller whose delete removed it. */
export async function takeEmail(id: string): Promise<boolean> {
  return (await EmailOutbox.deleteOne({ _id: id })).deletedCount === 1;
}

export function dueEmails(now: Date, limit: number) {
  return EmailOutbox.find({ notBefore: { $lte: now } })
    .sort({ notBefore: 1 })
    .limit(limit)
    .lean<EmailOutboxDoc[]>();
}

/** Puts a taken entry back, to be tried again from `notBefore` on. */
export async function requeueEmail(entry: EmailOutboxDoc, attempts: number, notBefore: Date) {
  await EmailOutbox.create({ ...entry, attempts, notBefore });
}
