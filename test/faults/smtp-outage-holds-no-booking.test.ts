/**
 * Email never holds a booking: with the mail server down, a booking is requested, approved and
 * ACCEPTED as fast as ever and both parties get their in-app notifications; the emails wait in
 * the outbox, are retried, and go out once the mail server is back, once each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Booking, EmailOutbox, Notification, User } from '../../db/models.js';
import { eventually } from '../support/eventually.js';
import { mailbox } from '../support/mailbox.js';
import {
  daysFromNow,
  log,
  seconds,
  startPrivateStack,
  type PrivateStack,
} from '../support/private-stack.js';

let stack: PrivateStack;

beforeAll(async () => {
  stack = await startPrivateStack();
});

afterAll(async () => {
  await stack?.stop();
});

const emailOf = async (userId: string) => (await User.findById(userId).lean())?.email as string;

describe('the mail server down while bookings are decided', () => {
  it('accepts the booking at once and sends its emails when the server is back', async () => {
    const system = await stack.startComponents(['api', 'worker', 'bridge', 'notifier']);
    const owner = await stack.api.signUp('owner');
    const traveler = await stack.api.signUp('traveler');
    const property = await stack.api.createProperty(owner);

    await stack.stopMail();
    const t0 = Date.now();
    const bookingId = await stack.api.requestBooking(traveler, {
      propertyId: property.id,
      checkIn: daysFromNow(20),
      checkOut: daysFromNow(23),
    });
    await stack.api.decide(owner, bookingId, 'approve');
    await eventually(async () =>
      expect((await Booking.findById(bookingId).lean())?.status).toBe('ACCEPTED'),
    );
    const acceptedIn = Date.now() - t0;
    log(`ACCEPTED ${acceptedIn} ms after the request, with the mail server down`);
    expect(acceptedIn).toBeLessThan(15_000);
    const kinds = async (userId: string) =>
      (await Notification.find({ userId }).lean()).map((n) => n.kind).sort();
    await eventually(async () => {
      expect(await kinds(owner.id)).toEqual(['booking-requested']);
      expect(await kinds(traveler.id)).toEqual(['booking-accepted', 'booking-pending']);
    });
    // Both emails are owed, and the sender keeps trying.
    await eventually(async () => {
      const owed = await EmailOutbox.find({ userId: { $in: [owner.id, traveler.id] } }).lean();
      expect(owed.map((e) => e.kind).sort()).toEqual(['booking-accepted', 'booking-requested']);
      expect(owed.every((e) => e.attempts >= 1)).toBe(true);
    });
    await system.waitForOutput(/email not sent, queued again/);

    await stack.startMail();
    const backAt = Date.now();
    const box = mailbox(stack.mailWebUrl);
    const [ownerEmail, travelerEmail] = await Promise.all([
      emailOf(owner.id),
      emailOf(traveler.id),
    ]);
    await box.waitForMessage(ownerEmail, /^New booking request$/, { timeoutMs: 60_000 });
    await box.waitForMessage(travelerEmail, /^Booking accepted$/, { timeoutMs: 60_000 });
    log(`both emails delivered ${seconds(backAt)}s after the mail server came back`);
    expect(await EmailOutbox.countDocuments({ userId: { $in: [owner.id, traveler.id] } })).toBe(0);
    expect(await box.messagesTo(ownerEmail)).toHaveLength(1);
    expect(await box.messagesTo(travelerEmail)).toHaveLength(1);
  });
});
