/**
 * Email on the embedded stack: a message sent through the app's email sender (nodemailer, real
 * SMTP) reaches the stack's Mailpit and reads back through its HTTP API with its subject,
 * recipient and body; a refused connection rejects the send; the web mailbox answers HTML and
 * serves its embedded UI bundle.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../config/logger.js';
import { createEmailSender } from '../../notifications/email.js';
import { freePorts } from '../../stack/ports.js';
import { mailbox } from '../support/mailbox.js';

const smtpUrl = inject('smtpUrl');
const mailWebUrl = inject('mailWebUrl');
const FROM = 'StaySaga <no-reply@staysaga.test>';
const log = createLogger('email-test', 'warn');

function webUrl(): string {
  if (!mailWebUrl) {
    throw new Error(`SMTP_URL=${smtpUrl} is external: set MAIL_WEB_URL to its mailbox to run this`);
  }
  return mailWebUrl;
}

describe('email on the local stack', () => {
  const sender = createEmailSender({ smtpUrl, from: FROM, log });
  afterAll(() => sender.close());

  it('delivers a message that reads back with its subject, recipient and body', async () => {
    const id = randomUUID();
    const to = `guest-${id}@example.com`;
    // Its address contains `to`: the mailbox must not count it as a message to `to`.
    const lookalike = `other-${to}`;
    const text = `Your stay in Lisbon is confirmed: 4 nights, 1100 €.\nBooking ${id}`;
    await sender.send({ to, subject: `Booking ${id} confirmed`, text });
    await sender.send({ to: lookalike, subject: `Booking ${id} for someone else`, text: 'no' });

    const box = mailbox(webUrl());
    const received = await box.waitForMessage(to, new RegExp(`^Booking ${id} confirmed$`));
    expect(received.subject).toBe(`Booking ${id} confirmed`);
    expect(received.to.map((a) => a.address)).toEqual([to]);
    expect(received.from).toEqual({ name: 'StaySaga', address: 'no-reply@staysaga.test' });
    expect(received.text.replace(/\r\n/g, '\n').trim()).toBe(text);

    await box.waitForMessage(lookalike, /someone else/);
    expect((await box.messagesTo(to)).map((m) => m.subject)).toEqual([`Booking ${id} confirmed`]);
  });

  it('rejects the send when no SMTP server answers', async () => {
    const [closedPort] = await freePorts(1);
    const nowhere = createEmailSender({
      smtpUrl: `smtp://127.0.0.1:${closedPort}`,
      from: FROM,
      log,
    });
    try {
      await expect(
        nowhere.send({ to: 'guest@example.com', subject: 'lost', text: 'lost' }),
      ).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      nowhere.close();
    }
  });

  it('serves the web mailbox: HTML at / and its embedded UI bundle', async () => {
    const page = await fetch(`${webUrl()}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<title>Mailpit</title>');
    const script = /src="([^"]*dist\/app\.js[^"]*)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const bundle = await fetch(new URL(script!, `${webUrl()}/`));
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
  });
});
