/**
 * Sending email over SMTP (nodemailer): password-reset tokens and booking emails. One pooled
 * transport per sender, reused for every message. Plain text only. A failure (server down,
 * recipient refused, timeout) rejects `send`: callers retry (an activity, a consumer).
 *
 * `smtpUrl` is `smtp://host:port` (plain, STARTTLS when the server offers it) or
 * `smtps://host:port` (TLS from the start), with `user:password@` when the server wants them;
 * the local stack's Mailpit takes `smtp://127.0.0.1:1025` without credentials.
 */
import nodemailer from 'nodemailer';
import type { Logger } from '../config/logger.js';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
}

export interface EmailSender {
  /** Resolves once the SMTP server has accepted the message for its recipient. */
  send(email: OutgoingEmail): Promise<void>;
  /** Closes the pooled connections. */
  close(): void;
}

export function createEmailSender(options: {
  smtpUrl: string;
  from: string;
  log: Logger;
}): EmailSender {
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    pool: true,
    maxConnections: 2,
    // Fail in seconds rather than nodemailer's minutes, so a caller's retry comes soon.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send({ to, subject, text }) {
      const info = await transport.sendMail({ from: options.from, to, subject, text });
      if (info.rejected.length > 0) {
        throw new Error(`the SMTP server refused the recipient (${String(info.response)})`);
      }
      options.log.info('email sent', {
        messageId: info.messageId,
        toDomain: to.slice(to.lastIndexOf('@') + 1),
      });
    },
    close() {
      transport.close();
    },
  };
}
