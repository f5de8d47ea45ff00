/**
 * Fast enough: the first load of the home page ships at most 200 kB of compressed JavaScript
 * (every chunk's size is printed; the test fails above the budget), counted two ways, from the
 * build's manifest (gzip) and as Chromium fetched it; and with 1,000 listings in the database
 * the home page's first results show up quickly (measured and printed, not asserted).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../processes/web-build.js';
import { createProperty, signUp } from '../support/api-client.js';
import { launchChromium, newContext, unique } from './browser.js';

/** The budget: compressed JavaScript of the first load, in bytes. */
const FIRST_LOAD_JS_BUDGET = 200_000;

interface ManifestChunk {
  file: string;
  imports?: string[];
  isEntry?: boolean;
  css?: string[];
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

describe('the first load', () => {
  it('ships at most 200 kB of compressed JavaScript', async () => {
    const manifest = JSON.parse(
      readFileSync(join(WEB_DIST, '.vite', 'manifest.json'), 'utf8'),
    ) as Record<string, ManifestChunk>;
    const entry = manifest['index.html']!;
    // The entry and everything it imports statically (the home page is in the entry).
    const firstLoad = new Set<string>();
    const visit = (key: string) => {
      const chunk = manifest[key];
      if (!chunk || firstLoad.has(chunk.file)) return;
      firstLoad.add(chunk.file);
      chunk.imports?.forEach(visit);
    };
    visit('index.html');
    const assets = join(WEB_DIST, 'assets');
    const rows = readdirSync(assets)
      .filter((name) => /\.(js|css)$/.test(name))
      .map((name) => {
        const content = readFileSync(join(assets, name));
        return {
          file: `assets/${name}`,
          raw: statSync(join(assets, name)).size,
          gzip: gzipSync(content, { level: 9 }).length,
        };
      })
      .sort((a, b) => b.gzip - a.gzip);
    const lines = rows.map(
      (r) =>
        `  ${firstLoad.has(r.file) ? '*' : ' '} ${r.file.padEnd(40)} ${kB(r.raw).padStart(10)} ${kB(r.gzip).padStart(10)} gzip`,
    );
    const firstLoadJs = rows
      .filter((r) => firstLoad.has(r.file) && r.file.endsWith('.js'))
      .reduce((sum, r) => sum + r.gzip, 0);
    const css = (entry.css ?? []).map((file) => rows.find((r) => r.file === file)?.gzip ?? 0);

    // As Chromium fetches it from the web server (precompressed: brotli when asked).
    const page = await (await newContext(browser)).newPage();
    const fetched: Promise<{ url: string; bytes: number }>[] = [];
    page.on('requestfinished', (request) => {
      if (request.resourceType() === 'script') {
        fetched.push(
          request.sizes().then((sizes) => ({ url: request.url(), bytes: sizes.responseBodySize })),
        );
      }
    });
    await page.goto('/');
    await page.getByRole('heading', { name: /stays? found/ }).waitFor();
    const scripts = await Promise.all(fetched);
    const overTheWire = scripts.reduce((sum, s) => sum + s.bytes, 0);

    process.stdout.write(
      [
        '[browser] web app bundle (* = first load):',
        ...lines,
        `[browser] first load: ${kB(firstLoadJs)} of JavaScript gzip (budget ${kB(FIRST_LOAD_JS_BUDGET)}), ` +
          `${kB(css.reduce((a, b) => a + b, 0))} CSS gzip; Chromium fetched ${scripts.length} script(s), ` +
          `${kB(overTheWire)} over the wire`,
        '',
      ].join('\n'),
    );
    expect(firstLoadJs).toBeLessThanOrEqual(FIRST_LOAD_JS_BUDGET);
    expect(overTheWire).toBeLessThanOrEqual(FIRST_LOAD_JS_BUDGET);
  });
});

describe('the home page with 1,000 listings', () => {
  it('shows its first results (the time is printed)', async () => {
    const owner = await signUp('owner');
    const city = unique('Many');
    const total = 1000;
    let made = 0;
    const started = Date.now();
    // Eight at a time, as a handful of owners would.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (made < total) {
          made += 1;
          await createProperty(owner, {
            city: made % 2 ? city : 'Elsewhere',
            name: `Stay ${made}`,
          });
        }
      }),
    );
    process.stdout.write(
      `[browser] ${total} listings created in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
    );
    const page = await (await newContext(browser)).newPage();
    const times: number[] = [];
    for (const path of ['/', '/', `/?city=${city}`]) {
      const loadStarted = Date.now();
      await page.goto(path);
      await page.getByRole('article').first().waitFor();
      times.push(Date.now() - loadStarted);
    }
    process.stdout.write(
      `[browser] first results with 1,000+ listings: cold ${times[0]} ms, warm ${times[1]} ms, ` +
        `by city ${times[2]} ms (navigation to the first card)\n`,
    );
    expect(await page.getByRole('article').count()).toBeGreaterThan(0);
  }, 300_000);
});
