/**
 * Schemathesis, a fuzzer nobody here wrote, against the running system from its published
 * `/openapi.json`: thousands of generated requests, valid and not, signed in as an owner and as
 * a traveler. No answer may be a 5xx, carry a status the document does not list for that
 * operation, a content type it does not declare, or a body its schema does not describe; an
 * undeclared method gets 405 with Allow.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureSchemathesis } from '../../stack/api-fuzzer.js';
import type { ToolCommand } from '../../stack/deploy-validators.js';
import { signUp } from '../support/api-client.js';

const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'unsupported_method',
  'allow_header_conformance',
  'response_schema_conformance',
];

let schemathesis: ToolCommand;
let workDir: string;

beforeAll(async () => {
  schemathesis = await ensureSchemathesis();
  workDir = mkdtempSync(join(tmpdir(), 'staysaga-schemathesis-'));
}, 300_000);

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function fuzz(token: string): Promise<{ code: number | null; output: string }> {
  const apiUrl = inject('apiUrl');
  const args = [
    ...schemathesis.args,
    'run',
    `${apiUrl}/openapi.json`,
    '--checks',
    CHECKS.join(','),
    '--header',
    `Authorization: Bearer ${token}`,
    // Logging out would revoke the session the rest of the run is signed in with.
    '--exclude-path-regex',
    '/logout$',
    // An event stream never ends by itself: every request would run into the timeout.
    // test/integration/live-events-over-sse.test.ts covers it.
    '--exclude-path',
    '/api/events',
    // The trip assistant streams a model's answer for tens of seconds per request: fuzzing it
    // would be the model's time, not the API's. agent-plans-and-chat.test.ts covers it; the
    // plan route is fuzzed (a fuzzed traveler has no booking to plan: 400, 403, 404).
    '--exclude-path',
    '/api/agent/chat',
    '--max-examples',
    '20',
    '--workers',
    '2',
    '--request-timeout',
    '30',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(schemathesis.command, args, {
      // Its example database goes into the working directory: a throwaway one, not the repo.
      cwd: workDir,
      env: { ...process.env, ...schemathesis.env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('schemathesis against /openapi.json', () => {
  it.each(['owner', 'traveler'] as const)(
    'finds no 5xx, no undocumented status, content type or body, signed in as %s',
    async (role) => {
      const { token } = await signUp(role);
      const { code, output } = await fuzz(token);
      const summary = output.match(/(\d+) generated, (\d+) passed/);
      process.stdout.write(`[schemathesis:${role}] ${summary?.[0] ?? 'no summary'}\n`);
      expect(output).not.toMatch(/\d+ failed/);
      expect(code, output.slice(-4000)).toBe(0);
      expect(Number(summary?.[1])).toBeGreaterThan(1000);
      expect(summary?.[2]).toBe(summary?.[1]);
    },
    600_000,
  );
});
