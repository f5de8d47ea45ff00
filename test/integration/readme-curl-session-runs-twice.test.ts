/**
 * The README's curl session, exactly as printed there, run twice in a row against the running
 * system (its first run's accounts and bookings still there): a newcomer can paste it again and
 * again. It fails on the first command whose answer lacks what the next one reads (`json`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The bash block under "A full traveler and owner session". */
function curlSession(): string {
  const readme = readFileSync(README, 'utf8');
  const section = readme.slice(readme.indexOf('### A full traveler and owner session'));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('no bash block in the curl session section of README.md');
  return block;
}

describe("the README's curl session", () => {
  it('runs to the end twice, the password reset included', () => {
    const script = `set -euo pipefail\n${curlSession()}\necho "reset-confirmed:$TOKEN"\n`;
    for (const run of [1, 2]) {
      const result = spawnSync('bash', ['-c', script], {
        env: {
          ...process.env,
          API: inject('apiUrl'),
          MAILBOX: inject('mailWebUrl') ?? '',
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      const transcript = `run ${run}:\n${result.stdout}\n${result.stderr}`;
      expect(result.status, transcript).toBe(0);
      expect(result.stdout, transcript).toMatch(/reset-confirmed:[A-Za-z0-9_-]{40,}/);
      expect(result.stdout, transcript).toContain('"code":"dates_unavailable"');
      expect(result.stdout, transcript).not.toMatch(/"code":"(internal|validation_failed)"/);
    }
  });
});
