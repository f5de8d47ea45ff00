/**
 * The deployment topology, on the real stack: an API process that serves only some seed
 * services (as one Deployment per service does), and a worker that runs a workflow bundle built
 * ahead of time (as the container image does) and answers health probes on HEALTH_PORT.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../stack/ports.js';
import { createProperty, daysFromNow, signUp } from '../support/api-client.js';
import { startExtraProcess, stopExtraProcesses } from '../support/extra-process.js';
import { requestJson } from '../support/http-client.js';

let workDir: string;
let apiUrl: string;
let healthUrl: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'staysaga-topology-'));
  const [apiPort, healthPort] = (await freePorts(2)) as [number, number];
  const bundle = join(workDir, 'workflow-bundle.js');
  const taskQueue = `topology-${Date.now()}`;
  await startExtraProcess(['scripts/bundle-workflows.ts', bundle], {}, /workflow bundle: /);
  await Promise.all([
    startExtraProcess(
      ['processes/main.ts', 'worker'],
      {
        TEMPORAL_TASK_QUEUE: taskQueue,
        WORKFLOW_BUNDLE_PATH: bundle,
        HEALTH_PORT: String(healthPort),
      },
      /polling/,
    ),
    startExtraProcess(
      ['processes/main.ts', 'api'],
      { TEMPORAL_TASK_QUEUE: taskQueue, API_SERVICES: 'property,traveler', PORT: String(apiPort) },
      /listening/,
    ),
  ]);
  apiUrl = `http://127.0.0.1:${apiPort}`;
  healthUrl = `http://127.0.0.1:${healthPort}/health`;
});

afterAll(() => {
  stopExtraProcesses();
  rmSync(workDir, { recursive: true, force: true });
});

function call(path: string, init: { method?: string; token?: string; body?: unknown } = {}) {
  return requestJson(apiUrl, path, init);
}

describe('one seed service per process', () => {
  it('serves only its services, runs sagas from a pre-built bundle, and answers health probes', async () => {
    const [owner, traveler] = await Promise.all([signUp('owner'), signUp('traveler')]);
    const property = await createProperty(owner);

    // property and traveler are served here; auth and booking routes belong to other processes.
    expect((await call(`/api/properties/${property.id}`)).status).toBe(200);
    const elsewhere = await call('/api/auth/me', { token: traveler.token });
    expect({ status: elsewhere.status, body: elsewhere.body }).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'No route for GET /api/auth/me' } },
    });
    expect((await call('/health')).body).toEqual({ status: 'ok' });

    // The booking saga runs on this topology's own task queue: only the bundle worker serves it.
    const booked = await call('/api/travelers/bookings', {
      method: 'POST',
      token: traveler.token,
      body: {
        propertyId: property.id,
        checkIn: daysFromNow(600),
        checkOut: daysFromNow(602),
        guests: 2,
      },
    });
    expect(booked.status).toBe(201);
    expect(booked.body.booking.status).toBe('PENDING');

    const health = await fetch(healthUrl);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', components: ['worker'] });
  });
});
