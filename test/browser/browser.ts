/**
 * What every browser journey shares: Chromium through playwright-core (the executable the
 * global setup found), pages of the web app, an accessibility check with axe-core that fails
 * on any serious or critical violation, and screenshots at desktop and phone width.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
export const SCREENSHOTS_DIR = join(import.meta.dirname, 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: inject('chromiumPath'),
    headless: true,
    // Root in CI containers: Chromium's sandbox needs user namespaces it may not have.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** A fresh browser profile (its own cookies) on the web app. */
export async function newContext(
  browser: Browser,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: inject('webUrl'),
    viewport: DESKTOP,
    colorScheme: options.colorScheme ?? 'light',
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(10_000);
  return context;
}

/** A context already signed in with a session token the API gave (no UI round trip). */
export async function signedInContext(browser: Browser, token: string) {
  const context = await newContext(browser);
  await context.addCookies([
    {
      name: 'staysaga_session',
      value: token,
      url: inject('webUrl'),
      httpOnly: true,
      sameSite: 'Lax',
    },
  ]);
  return context;
}

/** No serious or critical axe-core violation (WCAG 2.1 A and AA rules) on the page as it is. */
export async function expectAccessible(page: Page, name: string) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map(
    (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  expect(report, `axe-core on ${name}`).toEqual([]);
  return { violations: result.violations.length, passes: result.passes.length };
}

/** Screenshots of the page at desktop and phone width, checked by axe at both. */
export async function captureAndCheck(page: Page, name: string) {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const original = page.viewportSize() ?? DESKTOP;
  const axe = [];
  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.waitForTimeout(100);
    // Nothing may stick out sideways at phone width.
    if (label === 'phone') {
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow, `${name} at 390 px scrolls sideways`).toBeLessThanOrEqual(0);
    }
    await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}-${label}.png`), fullPage: true });
    axe.push(await expectAccessible(page, `${name} (${label})`));
  }
  await page.setViewportSize(original);
  return axe;
}

let runs = 0;
/** A name no other run of the suite has used: new accounts and cities each run. */
export function unique(prefix: string): string {
  runs += 1;
  return `${prefix}${Date.now().toString(36)}${runs}${Math.random().toString(36).slice(2, 6)}`;
}

/** A small real photo (PNG), `colour` filled, made with sharp. */
export async function photo(colour: string, name: string) {
  const { default: sharp } = await import('sharp');
  const buffer = await sharp({
    create: { width: 1200, height: 800, channels: 3, background: colour },
  })
    .png()
    .toBuffer();
  return { name, mimeType: 'image/png', buffer };
}
