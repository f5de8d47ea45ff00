/**
 * Two stories at the edges: nights taken by someone else while the page was open (the
 * calendar greys them out on reload, and a request for them shows the API's 409 with the
 * nights), and a forgotten password reset through the email in the local mailbox.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProperty,
  daysFromNow,
  localMailbox,
  requestBooking,
  signUp,
} from '../support/api-client.js';
import { captureAndCheck, launchChromium, newContext, signedInContext, unique } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('nights taken meanwhile', () => {
  it('are refused with the 409’s nights, then greyed out in the calendar', async () => {
    const owner = await signUp('owner');
    const city = unique('Taken');
    const property = await createProperty(owner, { city, name: `Cabin ${city}` });
    const [checkIn, checkOut] = [daysFromNow(20), daysFromNow(23)];
    const traveler = await signUp('traveler', 'Tina Late');
    const page = await (await signedInContext(browser, traveler.token)).newPage();
    await page.goto(`/properties/${property.id}?checkIn=${checkIn}&checkOut=${checkOut}&guests=2`);
    await page.getByTestId('quote').getByText('Total').waitFor();

    // Someone else books two of those nights while the page is open.
    const other = await signUp('traveler');
    const first = await requestBooking(other, {
      propertyId: property.id,
      checkIn: daysFromNow(21),
      checkOut: daysFromNow(23),
      guests: 1,
    });
    expect(first.status).toBe(201);

    await page.getByRole('button', { name: 'Reserve' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Taken nights' });
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toMatch(/taken|unavailable/i);
    const nights = [21, 22].map((d) =>
      new Date(`${daysFromNow(d)}T00:00:00`).toLocaleDateString('en', {
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        year: 'numeric',
      }),
    );
    for (const night of nights) expect(text).toContain(night);
    await captureAndCheck(page, 'property-409');

    // The calendar now shows them taken; a span over them is refused in the picker itself.
    await page.getByLabel('Check-in').fill(daysFromNow(19));
    await page.getByLabel('Check-out').fill(daysFromNow(24));
    await page.getByRole('alert').filter({ hasText: 'would cross taken nights' }).waitFor();
    expect(await page.getByRole('button', { name: 'Reserve' }).isDisabled()).toBe(true);
  });
});

describe('a forgotten password', () => {
  it('is reset from the link in the email, and the new one logs in', async () => {
    const email = `${unique('forgot')}@example.com`;
    const page = await (await newContext(browser)).newPage();
    await page.goto('/signup');
    await page.getByLabel('Name').fill('Fiona Forgetful');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('the-first-password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await captureAndCheck(page, 'log-in');

    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await captureAndCheck(page, 'forgot-password');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText('If an account with this email exists').waitFor();

    const message = await localMailbox().waitForMessage(email, /reset/i);
    // The email links to the web app's reset page (WEB_APP_URL, here on another port: its path
    // and query are opened on the app under test).
    const link = /https?:\/\/\S+\/reset-password\?token=\S+/.exec(message.text)?.[0];
    expect(link, message.text).toBeDefined();
    const { pathname, search } = new URL(link!);
    await page.goto(`${pathname}${search}`);
    await page.getByLabel('New password', { exact: true }).fill('the-second-password');
    await page.getByLabel('Repeat the new password').fill('the-second-password');
    await captureAndCheck(page, 'reset-password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('Your password is changed').waitFor();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('the-second-password');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
  });
});
