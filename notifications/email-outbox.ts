/**
 * The email sender: drains the outbox that the notification channel fills. Every instance polls
 * for due entries and takes each by deleting it (a delete's count is exact on both servers, so
 * of two instances only one sends it); a failed send goes back in with a later `notBefore`. A
 * process that dies between taking an entry and sending it loses that one email: the price of
 * never sending one twice from two instances.
 */
import type { Logger } from '../config/logger.js';
import { dueEmails, requeueEmail, takeEmail, type EmailOutboxDoc } from '../db/email-outbox.js';
import { emailOfUser } from '../db/users.js';
import type { EmailSender } from './email.js';

export interface EmailOutboxSender {
  /** Stops polling and waits for the round in progress. */
  stop(): Promise<void>;
}

const POLL_INTERVAL_MS = 500;
const BATCH = 20;
const RETRY_BASE_MS = 2_000;
const RETRY_MAX_MS = 10 * 60_000;

/**
 * Account addresses by user id. An account's email never changes (there is no route for it),
 * so each process looks one up once; the map is dropped whole when it grows past its bound.
 */
const addresses = new Map<string, string>();
const MAX_REMEMBERED_ADDRESSES = 10_000;

async function addressOf(userId: string): Promise<string | null> {
  const known = addresses.get(userId);
  if (known) return known;
  const email = await emailOfUser(userId);
  if (!email) return null;
  if (addresses.size >= MAX_REMEMBERED_ADDRESSES) addresses.clear();
  addresses.set(userId, email);
  return email;
}

/** Sends the due emails once; returns how many went out. */
export async function sendDueEmails(sender: EmailSender, log: Logger, now = new Date()) {
  const due = await dueEmails(now, BATCH);
  let sent = 0;
  for (const entry of due) {
    if (!(await takeEmail(entry._id))) continue; // another instance took it
    if (await sendOne(sender, entry, log)) sent += 1;
  }
  return sent;
}

async function sendOne(sender: EmailSender, entry: EmailOutboxDoc, log: Logger) {
  const to = await addressOf(entry.userId.toString());
  if (!to) {
    log.warn('no account to email', { userId: entry.userId.toString(), kind: entry.kind });
    return false;
  }
  try {
    await sender.send({ to, subject: entry.subject, text: entry.text });
    return true;
  } catch (error) {
    const attempts = entry.attempts + 1;
    const retryInMs = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
    log.warn('email not sent, queued again', { kind: entry.kind, attempts, retryInMs, error });
    await requeueEmail(entry, attempts, new Date(Date.now() + retryInMs));
    return false;
  }
}

export function startEmailOutboxSender(sender: EmailSender, log: Logger): EmailOutboxSender {
  let round: Promise<void> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (round || stopped) return;
    round = sendDueEmails(sender, log)
      .then(() => undefined)
      .catch((error: unknown) => log.warn('email outbox round failed', { error }))
      .finally(() => {
        round = undefined;
      });
  }, POLL_INTERVAL_MS);
  timer.unref();
  log.info('sending email', { pollMs: POLL_INTERVAL_MS });
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await round;
    },
  };
}
