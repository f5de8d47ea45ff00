/**
 * The booking story in two browsers on the real system: a traveler signs up, searches by city
 * and dates, reserves and sees PENDING; the owner, with the requests page open, sees the
 * request arrive live and approves it; the traveler's open page turns ACCEPTED within 2 s
 * without a reload; then the traveler cancels with a reason.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProperty, daysFromNow, signUp } from '../support/api-client.js';
import { captureAndCheck, launchChromium, newContext, signedInContext, unique } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('a stay requested, approved live and cancelled, in two browsers', () => {
  it('goes PENDING → ACCEPTED on the open page without a reload, then CANCELLED', async () => {
    const city = unique('Saga');
    const owner = await signUp('owner', 'Olivia Owner');
    const property = await createProperty(owner, { city, name: `Casa ${city}` });
    const checkIn = daysFromNow(30);
    const checkOut = daysFromNow(34);

    // The owner watches incoming requests in a browser of their own.
    const ownerContext = await signedInContext(browser, owner.token);
    const ownerPage = await ownerContext.newPage();
    await ownerPage.goto('/owner/requests');
    await ownerPage.getByText('No pending bookings').waitFor();
    await ownerPage.getByText('Live updates on').waitFor();

    // The traveler signs up in the web app.
    const page = await (await newContext(browser)).newPage();
    await page.goto('/signup');
    await captureAndCheck(page, 'sign-up');
    const travelerName = `Tom ${city}`;
    await page.getByLabel('Name').fill(travelerName);
    await page.getByLabel('Email').fill(`${city.toLowerCase()}@example.com`);
    await page.getByLabel('Password').fill('a-long-password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('link', { name: 'Trips' }).waitFor();

    // Searches by city and dates.
    await page.getByLabel('Where').fill(city.toLowerCase());
    await page.getByRole('button', { name: 'Any dates' }).click();
    await page.getByLabel('Check-in').fill(checkIn);
    await page.getByLabel('Check-out').fill(checkOut);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/checkIn=/);
    // Only this listing is in that city and free on those dates.
    await page.getByRole('heading', { name: '1 stay found' }).waitFor();
    const card = page.getByRole('article').filter({ hasText: property.name });
    await card.waitFor();
    expect(await card.innerText()).toContain('$250');
    await captureAndCheck(page, 'search-results');

    // Opens the listing with the dates carried over: the server's quote, then Reserve.
    await card.getByRole('link', { name: property.name }).click();
    const quote = page.getByTestId('quote');
    await quote.getByText('Total').waitFor();
    expect(await quote.innerText()).toMatch(/4 nights × \$250[\s\S]*\$1,000[\s\S]*\$1,100/);
    await captureAndCheck(page, 'property');
    await page.getByRole('button', { name: 'Reserve' }).click();
    await page.waitForURL(/\/trips\/[0-9a-f]{24}$/);
    const status = page.getByTestId('booking-status');
    await status.getByText('PENDING').waitFor();

    // The request reaches the owner's open page live.
    const request = ownerPage.getByRole('article').filter({ hasText: travelerName });
    await request.waitFor({ timeout: 5_000 });
    expect(await request.innerText()).toContain('Decision due');
    await ownerPage
      .getByRole('button', { name: `Approve ${travelerName} at ${property.name}` })
      .click();
    const approvedAt = Date.now();

    // The traveler's page turns ACCEPTED within 2 s, without a reload.
    await status.getByText('ACCEPTED').waitFor({ timeout: 2_000 });
    const shownAfterMs = Date.now() - approvedAt;
    process.stdout.write(`[browser] ACCEPTED shown ${shownAfterMs} ms after Approve\n`);
    expect(await status.innerText()).toBe('ACCEPTED');
    await captureAndCheck(page, 'trip-accepted');

    // The traveler cancels from the trips page, with a reason.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Trips' })
      .click();
    await page.getByRole('tab', { name: 'Accepted' }).click();
    const trip = page.getByRole('article').filter({ hasText: property.name });
    await trip.waitFor();
    await captureAndCheck(page, 'trips');
    await trip.getByRole('button', { name: 'Cancel booking' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason (optional)').fill('Plans changed');
    await captureAndCheck(page, 'cancel-dialog');
    await dialog.getByRole('button', { name: 'Cancel booking' }).click();
    await page.getByRole('tab', { name: 'Cancelled' }).click();
    await page
      .getByRole('article')
      .filter({ hasText: property.name })
      .getByText('CANCELLED')
      .waitFor();

    // The owner's bell counts the news.
    await ownerPage.getByRole('link', { name: /Notifications, \d+ unread/ }).waitFor();
    await ownerPage.getByRole('link', { name: /Notifications/ }).click();
    await ownerPage.getByRole('heading', { name: 'Notifications' }).waitFor();
    await ownerPage.getByRole('listitem').first().waitFor();
    await captureAndCheck(ownerPage, 'notifications');
  });
});
