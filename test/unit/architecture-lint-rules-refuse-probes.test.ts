/**
 * The layout's rules are enforced by ESLint, not by good intentions: a probe that breaks each
 * one fails the lint, and the same code where it belongs passes.
 */
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: REPO });

/**
 * The messages ESLint gives `code` as a file of folder `dir`. Written to disk for the moment of
 * the lint (the type-aware rules read it from the TypeScript project), then removed.
 */
async function lintAs(dir: string, code: string): Promise<string[]> {
  const file = join(REPO, dir, `__lint_probe_${randomUUID().slice(0, 8)}.ts`);
  writeFileSync(file, code);
  try {
    const [result] = await eslint.lintFiles([file]);
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  } finally {
    rmSync(file, { force: true });
  }
}

const refusedImport = /no-restricted-imports/;

// The first lint builds the TypeScript program: seconds, not milliseconds.
describe('the layout rules', { timeout: 60_000 }, () => {
  it('keep mongoose and the models inside db/', async () => {
    const query =
      "import { Booking } from '../db/models.js';\nexport const find = () => Booking.find();\n";
    expect(await lintAs('services', query)).toEqual([expect.stringMatching(refusedImport)]);
    const driver =
      "import mongoose from 'mongoose';\nexport const connection = mongoose.connection;\n";
    expect(await lintAs('api', driver)).toEqual([expect.stringMatching(refusedImport)]);
    expect(await lintAs('db', driver)).toEqual([]);
    // A type is not a query: services may name mongoose's types.
    const typeOnly = "import type { Types } from 'mongoose';\nexport type Id = Types.ObjectId;\n";
    expect(await lintAs('services', typeOnly)).toEqual([]);
  });

  it('keep db/ free of the saga, the services and HTTP', async () => {
    const upward =
      "import type { BookingSagaInput } from '../workflows/booking-definitions.js';\nexport type I = BookingSagaInput;\n";
    expect(await lintAs('db', upward)).toEqual([expect.stringMatching(refusedImport)]);
    const domain =
      "import type { NewBooking } from '../domain/booking.js';\nexport type B = NewBooking;\n";
    expect(await lintAs('db', domain)).toEqual([]);
  });

  it('keep the agent away from the database and the API’s authority', async () => {
    const reach =
      "import { findBookingById } from '../db/bookings.js';\nexport const find = findBookingById;\n";
    expect(await lintAs('agent', reach)).toEqual([expect.stringMatching(refusedImport)]);
    const service =
      "import { bookingOfParty } from '../services/booking-decisions.js';\nexport const f = bookingOfParty;\n";
    expect(await lintAs('agent', service)).toEqual([expect.stringMatching(refusedImport)]);
    const pure =
      "import { nightsBetween } from '../domain/stay.js';\nexport const n = nightsBetween;\n";
    expect(await lintAs('agent', pure)).toEqual([]);
  });

  it('keep workflows deterministic: no Node built-ins, no I/O clients', async () => {
    const io =
      "import { readFileSync } from 'node:fs';\nexport const read = () => readFileSync('x');\n";
    expect(await lintAs('workflows', io)).toEqual([expect.stringMatching(refusedImport)]);
  });
});
