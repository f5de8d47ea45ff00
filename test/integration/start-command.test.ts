/**
 * The start command itself: `processes/start-system.ts` (what `npm start` runs) brings up its own
 * stack and the whole system, answers HTTP, and on SIGTERM stops everything it started: no JVM,
 * FerretDB, Temporal, Mailpit or model server process is left behind.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../../stack/managed-process.js';
import { freePorts } from '../../stack/ports.js';
import { eventually } from '../support/eventually.js';

describe('the start command', () => {
  it('starts the stack and every component, then stops them all on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'staysaga-start-'));
    const [api, web, temporal, temporalUi, kafka, kafkaController, mongo, smtp, mailWeb, llm] =
      await freePorts(10);
    const env = {
      ...process.env,
      PORT: String(api),
      WEB_PORT: String(web),
      AGENT_PORT: '0',
      LOG_LEVEL: 'info',
      STAYSAGA_DATA_DIR: dataDir,
      STAYSAGA_TEMPORAL_PORT: String(temporal),
      STAYSAGA_TEMPORAL_UI_PORT: String(temporalUi),
      STAYSAGA_KAFKA_PORT: String(kafka),
      STAYSAGA_KAFKA_CONTROLLER_PORT: String(kafkaController),
      STAYSAGA_MONGO_PORT: String(mongo),
      STAYSAGA_SMTP_PORT: String(smtp),
      STAYSAGA_MAIL_WEB_PORT: String(mailWeb),
      STAYSAGA_LLM_PORT: String(llm),
      TEMPORAL_ADDRESS: '',
      KAFKA_BROKERS: '',
      MONGODB_URI: '',
      SMTP_URL: '',
      AGENT_LLM_URL: '',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'processes/start-system.ts'], {
      env,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await eventually(() => expect(output).toContain('StaySaga is running'), {
        timeoutMs: 90_000,
      });
      expect(output).toContain(`API          http://127.0.0.1:${api}`);
      expect(output).toContain(`Web app      http://127.0.0.1:${web}`);
      expect(output).toContain(`Temporal UI  http://127.0.0.1:${temporalUi}`);
      expect(output).toContain(`Mailbox      http://127.0.0.1:${mailWeb}`);
      const agentOff = process.env.STAYSAGA_AGENT === 'off';
      expect(output).toContain(
        agentOff ? 'Agent model  (off' : `Agent model  http://127.0.0.1:${llm}/v1`,
      );
      expect(output).toMatch(/\[(ferretdb|mongod|kafka|temporal)\] /);
      const health = await fetch(`http://127.0.0.1:${api}/health`);
      expect(await health.json()).toEqual({ status: 'ok' });
      // The web app, and the API behind it on the same origin.
      const page = await fetch(`http://127.0.0.1:${web}/trips`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      const proxied = await fetch(`http://127.0.0.1:${web}/api/properties?limit=1`);
      expect(proxied.status).toBe(200);
      expect(await proxied.json()).toMatchObject({ page: 1, limit: 1 });
      const ui = await fetch(`http://127.0.0.1:${temporalUi}/`);
      expect(ui.status).toBe(200);

      const mailbox = await fetch(`http://127.0.0.1:${mailWeb}/`);
      expect(mailbox.status).toBe(200);

      const servers = ['temporal', 'kafka', 'mongo', 'mailpit', ...(agentOff ? [] : ['llm'])];
      const serverPids = servers.map((name) =>
        Number(readFileSync(join(dataDir, `${name}.pid`), 'utf8')),
      );
      expect(serverPids.every(isAlive)).toBe(true);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('received SIGTERM, shutting down');
      await eventually(() => expect(serverPids.filter(isAlive)).toEqual([]), { timeoutMs: 10_000 });
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
