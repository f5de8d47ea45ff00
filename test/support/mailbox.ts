/**
 * A small client for the local mailbox (Mailpit's HTTP API, https://mailpit.axllent.org/docs/api-v1/):
 * what arrived for an address, waiting for a message, and emptying the mailbox. No vitest
 * import, so the benchmark harness can use it too.
 *
 *   GET    /api/v1/search?query=to:<address>   summaries of the messages to an address, newest first
 *   GET    /api/v1/message/{ID}                one message, with its text body
 *   DELETE /api/v1/messages                    every message
 */

export interface MailAddress {
  name: string;
  address: string;
}

export interface MessageSummary {
  id: string;
  from: MailAddress;
  to: MailAddress[];
  subject: string;
  created: string;
}

export interface ReceivedEmail extends MessageSummary {
  /** The plain-text body. */
  text: string;
}

export interface Mailbox {
  /** The messages whose To holds exactly `address` (any case), newest first. */
  messagesTo(address: string): Promise<MessageSummary[]>;
  /** Polls until a message to `address` with a matching subject arrives; returns it, body and all. */
  waitForMessage(
    address: string,
    subject: RegExp,
    options?: { timeoutMs?: number; intervalMs?: number },
  ): Promise<ReceivedEmail>;
  deleteAll(): Promise<void>;
}

interface ApiAddress {
  Name: string;
  Address: string;
}

interface ApiSummary {
  ID: string;
  From: ApiAddress | null;
  To: ApiAddress[] | null;
  Subject: string;
  Created: string;
}

const address = (a: ApiAddress | null): MailAddress => ({
  name: a?.Name ?? '',
  address: a?.Address ?? '',
});

const summary = (m: ApiSummary): MessageSummary => ({
  id: m.ID,
  from: address(m.From),
  to: (m.To ?? []).map(address),
  subject: m.Subject,
  created: m.Created,
});

export function mailbox(webUrl: string): Mailbox {
  const base = webUrl.replace(/\/$/, '');
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  const messagesTo = async (to: string): Promise<MessageSummary[]> => {
    const query = new URLSearchParams({ query: `to:${to}`, limit: '250' });
    const found = await call<{ messages: ApiSummary[] | null }>(
      `/api/v1/search?${query.toString()}`,
    );
    // `to:` matches a part of the address (bob@x also finds bigbob@x): keep exact matches only.
    const wanted = to.toLowerCase();
    return (found.messages ?? [])
      .map(summary)
      .filter((m) => m.to.some((a) => a.address.toLowerCase() === wanted));
  };

  return {
    messagesTo,
    async waitForMessage(to, subject, { timeoutMs = 30_000, intervalMs = 250 } = {}) {
      const deadline = Date.now() + timeoutMs;
      let seen: MessageSummary[] = [];
      for (;;) {
        seen = await messagesTo(to);
        const match = seen.find((m) => subject.test(m.subject));
        if (match) {
          const message = await call<{ Text: string }>(
            `/api/v1/message/${encodeURIComponent(match.id)}`,
          );
          return { ...match, text: message.Text };
        }
        if (Date.now() > deadline) {
          const subjects = seen.map((m) => JSON.stringify(m.subject)).join(', ') || 'none';
          throw new Error(
            `no message to ${to} with a subject matching ${subject} within ${timeoutMs} ms ` +
              `(messages to ${to}: ${subjects})`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    },
    async deleteAll() {
      await call('/api/v1/messages', { method: 'DELETE' });
    },
  };
}
