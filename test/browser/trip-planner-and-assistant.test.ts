/**
 * The trip planner in a browser on the real system and the real local model (the embedded 0.5B
 * the suite's stack runs): from the trips page, "Plan my trip" on an accepted stay, the
 * traveler's interests, then the plan day by day (morning, afternoon, evening), restaurants,
 * packing list and tips; then the assistant drawer answers a question as it streams.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, createProperty, daysFromNow, requestBooking, signUp } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { captureAndCheck, launchChromium, signedInContext, unique } from './browser.js';

/** A plan's calls under the suite's timeouts (AGENT_TIMEOUT 320 s), and a chat's steps. */
const PLAN_MS = 330_000;
const CHAT_MS = 160_000;
const hasModel = inject('agentLlmUrl') !== null;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.runIf(hasModel)('planning a trip from the trips page', () => {
  it(
    'shows the plan day by day, then the assistant answers in its drawer',
    async () => {
      const owner = await signUp('owner');
      const traveler = await signUp('traveler', 'Tess Traveler');
      const property = await createProperty(owner, { city: 'Porto', name: unique('Casa ') });
      const stay = {
        propertyId: property.id,
        checkIn: daysFromNow(45),
        checkOut: daysFromNow(47),
        guests: 2,
      };
      const booked = await requestBooking(traveler, stay);
      expect(booked.status, JSON.stringify(booked.body)).toBe(201);
      const bookingId = booked.body.booking.id as string;
      const approve = await api(`/api/owners/bookings/${bookingId}/approve`, {
        method: 'PUT',
        token: owner.token,
        body: {},
      });
      expect(approve.status).toBe(202);
      await eventually(async () => {
        const res = await api(`/api/bookings/${bookingId}`, { token: traveler.token });
        expect(res.body.booking.status).toBe('ACCEPTED');
      });

      const page = await (await signedInContext(browser, traveler.token)).newPage();
      await page.goto('/trips');
      await page.getByRole('tab', { name: 'Accepted' }).click();
      const trip = page.getByRole('article').filter({ hasText: property.name });
      await trip.getByRole('link', { name: 'Plan my trip' }).click();
      await page.waitForURL(new RegExp(`/trips/${bookingId}#plan$`));

      const planner = page.getByRole('region', { name: 'Plan my trip' });
      await planner.getByLabel('Budget').selectOption('medium');
      await planner.getByLabel('Interests (comma-separated)').fill('food, history');
      await planner.getByRole('button', { name: 'Plan my trip' }).click();
      await planner.getByRole('button', { name: /Planning/ }).waitFor();
      const written = planner.getByText(/^Written by /);
      // The plan, or the planner's error as the traveler sees it (then the test says which).
      await written.or(planner.getByRole('alert')).waitFor({ timeout: PLAN_MS - 30_000 });
      if (!(await written.isVisible())) {
        throw new Error(`no plan: ${await planner.getByRole('alert').innerText()}`);
      }
      process.stdout.write(`[browser] plan: ${await written.innerText()}\n`);

      // One day per night, each with its three parts; the place and dates are StaySaga's.
      const days = planner.locator('.plan-days > li');
      expect(await days.count()).toBe(2);
      for (const part of ['Morning', 'Afternoon', 'Evening']) {
        expect(await days.first().getByText(part, { exact: true }).count()).toBe(1);
      }
      expect(await planner.innerText()).toContain(`${property.name}, Porto, Portugal`);
      for (const heading of ['Restaurants', 'Packing list', 'Local tips']) {
        await planner.getByRole('heading', { name: heading }).waitFor();
      }
      await captureAndCheck(page, 'trip-plan');

      // The assistant: a question, its steps and the answer streamed into the drawer.
      await page.getByRole('button', { name: 'Ask the trip assistant' }).click();
      const drawer = page.getByRole('complementary', { name: 'Trip assistant' });
      await drawer.getByLabel('Your question').fill('Can I cancel this booking?');
      await drawer.getByRole('button', { name: 'Send' }).click();
      const answer = drawer.locator('.chat-turn.assistant').last();
      await answer
        .getByText(/^(Looked up|Searched)/)
        .first()
        .waitFor({ timeout: CHAT_MS });
      // The input comes back once the answer is complete.
      await drawer.getByLabel('Your question').and(page.locator(':enabled')).waitFor({
        timeout: CHAT_MS,
      });
      const text = await answer.innerText();
      process.stdout.write(`[browser] assistant: ${text.replace(/\s+/g, ' ')}\n`);
      expect(text.replace(/^Assistant:/, '').trim().length).toBeGreaterThan(20);
      await captureAndCheck(page, 'trip-assistant');
    },
    PLAN_MS + CHAT_MS,
  );
});
