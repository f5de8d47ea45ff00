/**
 * An owner lists a home in the web app with two photos, puts the second first by dragging it,
 * and finds it in search with that cover; deleting it while a request is pending is refused
 * with the API's own message; the dashboard counts the request and charts revenue.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, daysFromNow, requestBooking, signUp } from '../support/api-client.js';
import { captureAndCheck, launchChromium, photo, signedInContext, unique } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('an owner’s listing, made in the web app', () => {
  it('is created with two photos, reordered by drag, found with its cover, and kept while booked', async () => {
    const city = unique('Photo');
    const name = `Loft ${city}`;
    const owner = await signUp('owner', 'Paula Photos');
    const page = await (await signedInContext(browser, owner.token)).newPage();
    await page.goto('/owner');
    await page.getByText('You have no listing yet.').waitFor();
    await captureAndCheck(page, 'owner-dashboard-empty');

    await page.getByRole('link', { name: 'New listing' }).first().click();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Type').selectOption('loft');
    await page.getByLabel('Guests at most').fill('3');
    await page.getByLabel('City').fill(city);
    await page.getByLabel('Country').fill('Portugal');
    await page.getByLabel('Price per night').fill('120');
    await page.getByLabel('Cleaning fee').fill('30');
    await page.getByLabel('Service fee').fill('15');
    await page.getByLabel('kitchen').check();
    const photos = [await photo('#c0392b', 'red.png'), await photo('#2471a3', 'blue.png')];
    await page.getByLabel(/^Photos/).setInputFiles(photos);
    await captureAndCheck(page, 'listing-new');
    await page.getByRole('button', { name: 'Create listing' }).click();
    await page.waitForURL(/\/owner\/listings\/[0-9a-f]{24}\/edit/);
    const list = page.getByTestId('photo-list');
    await list.getByRole('listitem').nth(1).waitFor();
    const propertyId = /listings\/([0-9a-f]{24})/.exec(page.url())![1]!;
    const idsBefore = await list
      .getByRole('listitem')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-photo-id')));
    expect(idsBefore).toHaveLength(2);

    // Drag the second photo onto the first: it becomes the cover.
    await list.getByRole('listitem').nth(1).dragTo(list.getByRole('listitem').nth(0));
    await page.getByText('Photo 2 moved to place 1, now the cover').waitFor({ state: 'attached' });
    const idsAfter = await list
      .getByRole('listitem')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-photo-id')));
    expect(idsAfter).toEqual([idsBefore[1], idsBefore[0]]);
    await captureAndCheck(page, 'listing-edit');
    const saved = await api(`/api/properties/${propertyId}`);
    expect(saved.body.property.photos.map((p: { id: string }) => p.id)).toEqual(idsAfter);

    // Travelers find it, with the new cover on its card.
    const search = await (await browser.newContext({ baseURL: page.url() })).newPage();
    await search.goto(`/?city=${encodeURIComponent(city)}`);
    const card = search.getByRole('article').filter({ hasText: name });
    await card.waitFor();
    const cover = card.getByRole('img', { name: `${name}, cover photo` });
    expect(await cover.getAttribute('src')).toContain(idsAfter[0]);
    expect(
      await cover.evaluate((img: { naturalWidth: number }) => img.naturalWidth),
    ).toBeGreaterThan(0);

    // A pending request keeps it: the API's 409 message is shown.
    const traveler = await signUp('traveler');
    const booked = await requestBooking(traveler, {
      propertyId,
      checkIn: daysFromNow(40),
      checkOut: daysFromNow(42),
      guests: 2,
    });
    expect(booked.status).toBe(201);
    await page.getByRole('button', { name: 'Delete listing' }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: /pending|accepted/i });
    await refusal.waitFor();
    const apiRefusal = await api(`/api/properties/${propertyId}`, {
      method: 'DELETE',
      token: owner.token,
    });
    expect(apiRefusal.status).toBe(409);
    expect(await refusal.innerText()).toContain(apiRefusal.body.error.message);

    // The dashboard counts the pending request.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Dashboard' })
      .click();
    const row = page.getByRole('listitem').filter({ hasText: name });
    await row.getByRole('link', { name: '1 pending request' }).waitFor();
    await page.getByRole('img', { name: /Revenue by check-in month/ }).waitFor();
    await captureAndCheck(page, 'owner-dashboard');
  });
});
