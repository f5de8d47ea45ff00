/**
 * The pages the journeys do not pass through, each checked by axe-core and captured at desktop
 * and phone width: home signed out (light and dark), favorites (the heart kept on the server),
 * the profile with an avatar upload, an owner's pending requests with their deadline, a
 * booking seen by its owner, notifications, and an unknown address.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProperty, daysFromNow, requestBooking, signUp } from '../support/api-client.js';
import {
  captureAndCheck,
  launchChromium,
  newContext,
  photo,
  signedInContext,
  unique,
} from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('every page', () => {
  it('passes axe-core at desktop and phone width, in light and dark', async () => {
    const city = unique('Every');
    const owner = await signUp('owner', 'Omar Owner');
    const property = await createProperty(owner, { city, name: `Villa ${city}` });

    // Signed out: home, the theme toggle, an unknown page.
    const visitor = await (await newContext(browser)).newPage();
    await visitor.goto('/');
    await visitor.getByRole('heading', { name: /stays? found/ }).waitFor();
    await captureAndCheck(visitor, 'home');
    await visitor.getByRole('button', { name: /^Theme: system/ }).click();
    expect(await visitor.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await visitor.goto(`/?city=${city}`);
    await visitor.getByRole('article').first().waitFor();
    await captureAndCheck(visitor, 'home-dark');
    await visitor.goto('/no/such/page');
    await visitor.getByRole('heading', { name: 'Page not found' }).waitFor();
    await captureAndCheck(visitor, 'not-found');
    const dark = await (await newContext(browser, { colorScheme: 'dark' })).newPage();
    await dark.goto(`/properties/${property.id}`);
    await dark.getByRole('heading', { name: property.name }).waitFor();
    await captureAndCheck(dark, 'property-dark-system');

    // A traveler hearts the listing; it is on the favorites page.
    const traveler = await signUp('traveler', 'Fran Favorite');
    const page = await (await signedInContext(browser, traveler.token)).newPage();
    await page.goto(`/?city=${city}`);
    await page.getByRole('button', { name: `Save ${property.name} to favorites` }).click();
    await page.getByRole('button', { name: `Remove ${property.name} from favorites` }).waitFor();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Favorites' })
      .click();
    await page.getByRole('article').filter({ hasText: property.name }).waitFor();
    await captureAndCheck(page, 'favorites');

    // The profile, with an avatar upload.
    await page.goto('/profile');
    await page.getByRole('heading', { name: 'My profile' }).waitFor();
    await page.getByLabel('Upload a new photo').setInputFiles(await photo('#1e8449', 'me.png'));
    await page.getByText('Photo changed.').waitFor();
    await page.getByRole('img', { name: 'Your profile photo' }).waitFor();
    await captureAndCheck(page, 'profile');

    // An owner's pending request, with its deadline, and the booking as its owner sees it.
    const booked = await requestBooking(traveler, {
      propertyId: property.id,
      checkIn: daysFromNow(50),
      checkOut: daysFromNow(53),
      guests: 2,
    });
    expect(booked.status).toBe(201);
    const ownerPage = await (await signedInContext(browser, owner.token)).newPage();
    await ownerPage.goto('/owner/requests');
    const request = ownerPage.getByRole('article').filter({ hasText: 'Fran Favorite' });
    await request.getByText('Decision due').waitFor();
    await captureAndCheck(ownerPage, 'owner-requests');
    await request.getByRole('link', { name: property.name }).click();
    await ownerPage.getByRole('button', { name: /^Reject Fran Favorite/ }).waitFor();
    await captureAndCheck(ownerPage, 'booking-as-owner');
    await ownerPage.getByRole('button', { name: /^Reject Fran Favorite/ }).click();
    await ownerPage.getByRole('dialog').getByLabel('Reason (optional)').fill('Closed for works');
    await ownerPage.getByRole('dialog').getByRole('button', { name: 'Reject' }).click();
    await ownerPage.getByTestId('booking-status').getByText('REJECTED').waitFor();

    // The traveler's bell and notifications.
    await page.goto('/notifications');
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await page
      .getByRole('listitem')
      .filter({ hasText: /rejected/i })
      .first()
      .waitFor();
    await captureAndCheck(page, 'notifications-traveler');
  });
});
