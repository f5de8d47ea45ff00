/**
 * The trip planner on the real local model (the embedded Qwen2.5-Coder 0.5B the suite's stack
 * runs): through the API, with the agent service of the suite's system. A plan of a real
 * booking has exactly one day per night of the stay and the listing's city; only the
 * booking's traveler may plan it, and only while it is PENDING or ACCEPTED; a policy question is
 * answered citing the cancellation policy; "what are my bookings" runs the bookings tool; and a
 * model server killed mid-request gives 503, never a 500 or a plan.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TripPlan } from '../../agent/contract.js';
import { readServerSentEvents } from '../../agent/sse.js';
import { freePorts } from '../../stack/ports.js';
import { startThrowawayModelServer } from '../../stack/throwaway-stack.js';
import {
  api,
  createProperty,
  daysFromNow,
  requestBooking,
  signUp,
  type Actor,
} from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { startExtraProcess, stopExtraProcesses } from '../support/extra-process.js';
import { requestJson } from '../support/http-client.js';

/** One model call under a loaded suite (AGENT_LLM_TIMEOUT 150 s), and a plan's two attempts. */
const MODEL_CALL_MS = 150_000;
const PLAN_MS = 330_000;
const hasModel = inject('agentLlmUrl') !== null;

let owner: Actor;
let traveler: Actor;
let stranger: Actor;
const ids = { accepted: '', rejected: '', cancelled: '' };
let lisbonId = '';
let acceptedStay: { checkIn: string; checkOut: string };

async function book(propertyId: string, checkIn: number, nights: number) {
  const stay = {
    propertyId,
    checkIn: daysFromNow(checkIn),
    checkOut: daysFromNow(checkIn + nights),
    guests: 2,
  };
  const res = await requestBooking(traveler, stay);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.booking.id as string, ...stay };
}

async function statusBecomes(bookingId: string, status: string) {
  await eventually(
    async () => {
      const res = await api(`/api/bookings/${bookingId}`, { token: traveler.token });
      expect(res.body.booking.status).toBe(status);
    },
    { timeoutMs: 20_000 },
  );
}

const plan = (who: Actor, bookingId: string, base = inject('apiUrl')) =>
  requestJson(base, '/api/agent/plan', {
    method: 'POST',
    token: who.token,
    body: { bookingId, preferences: { budget: 'medium', interests: ['food', 'history'] } },
    timeoutMs: PLAN_MS,
  });

/** POST /api/agent/chat, read to its end: the JSON error, or every event of the stream. */
async function chat(who: Actor, content: string, bookingId?: string) {
  const response = await fetch(`${inject('apiUrl')}/api/agent/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${who.token}` },
    body: JSON.stringify({ bookingId, messages: [{ role: 'user', content }] }),
    signal: AbortSignal.timeout(MODEL_CALL_MS),
  });
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/event-stream') || !response.body) {
    return { status: response.status, body: (await response.json()) as any, events: [] };
  }
  const events: { event: string; data: any }[] = [];
  for await (const { event, data } of readServerSentEvents(response.body)) {
    events.push({ event, data: JSON.parse(data) });
  }
  return { status: response.status, body: null, events };
}

beforeAll(async () => {
  [owner, traveler, stranger] = await Promise.all([
    signUp('owner'),
    signUp('traveler', 'Tom'),
    signUp('traveler'),
  ]);
  const [lisbon, porto, faro] = await Promise.all([
    createProperty(owner, {
      name: 'Alfama Rooftop Flat',
      city: 'Lisbon',
      description:
        'A sunny flat with a rooftop terrace over the Alfama, five minutes from the tram 28.',
      amenities: ['wifi', 'kitchen', 'terrace'],
    }),
    createProperty(owner, { name: 'Ribeira House', city: 'Porto' }),
    createProperty(owner, { name: 'Faro Beach Hut', city: 'Faro' }),
  ]);
  lisbonId = lisbon.id;
  const accepted = await book(lisbon.id, 40, 3);
  acceptedStay = accepted;
  const rejected = await book(porto.id, 40, 2);
  const cancelled = await book(faro.id, 40, 2);
  Object.assign(ids, {
    accepted: accepted.id,
    rejected: rejected.id,
    cancelled: cancelled.id,
  });
  const decide = (id: string, action: string) =>
    api(`/api/owners/bookings/${id}/${action}`, { method: 'PUT', token: owner.token, body: {} });
  expect((await decide(ids.accepted, 'approve')).status).toBe(202);
  expect((await decide(ids.rejected, 'reject')).status).toBe(202);
  const cancel = await api(`/api/bookings/${ids.cancelled}/cancel`, {
    method: 'PUT',
    token: traveler.token,
    body: { reason: 'Plans changed' },
  });
  expect(cancel.status).toBe(202);
  await Promise.all([
    statusBecomes(ids.accepted, 'ACCEPTED'),
    statusBecomes(ids.rejected, 'REJECTED'),
    statusBecomes(ids.cancelled, 'CANCELLED'),
  ]);
}, 60_000);

afterAll(() => stopExtraProcesses());

describe('who may plan which stay', () => {
  it('is the booking’s own traveler only: another traveler gets 404, an owner 403', async () => {
    const other = await plan(stranger, ids.accepted);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    const asOwner = await plan(owner, ids.accepted);
    expect(asOwner.status).toBe(403);
    expect((await chat(stranger, 'Tell me about this trip', ids.accepted)).status).toBe(404);
    expect((await chat(owner, 'What are my bookings?')).status).toBe(403);
  });

  it('is only a PENDING or ACCEPTED stay: REJECTED and CANCELLED are 409', async () => {
    for (const id of [ids.rejected, ids.cancelled]) {
      const res = await plan(traveler, id);
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.body.error.code).toBe('booking_not_plannable');
      expect((await chat(traveler, 'Plan this', id)).status).toBe(409);
    }
  });
});

describe.runIf(hasModel)('on the real local model', () => {
  it(
    'plans a real booking: one day per night of the stay, in the listing’s city',
    async () => {
      const res = await plan(traveler, ids.accepted);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const trip = res.body.plan as TripPlan;
      process.stdout.write(`[agent] plan: ${JSON.stringify(trip)}\n`);
      expect(trip.destination).toEqual({ city: 'Lisbon', country: 'Portugal' });
      expect(trip.days.map((d) => d.date)).toEqual([
        acceptedStay.checkIn,
        daysFromNow(41),
        daysFromNow(42),
      ]);
      expect(trip).toMatchObject({
        bookingId: ids.accepted,
        propertyName: 'Alfama Rooftop Flat',
        checkIn: acceptedStay.checkIn,
        checkOut: acceptedStay.checkOut,
        guests: 2,
      });
      const parts = trip.days.flatMap((d) => [d.morning, d.afternoon, d.evening]);
      for (const part of parts) expect(part.length).toBeGreaterThanOrEqual(15);
      // Written one day per call, and no day repeats an activity of another.
      expect(new Set(parts.map((p) => p.toLowerCase())).size).toBe(parts.length);
      expect(trip.restaurants.length).toBeGreaterThan(0);
      expect(trip.packingList.length).toBeGreaterThan(1);
      expect(trip.generatedBy.attempts).toBeLessThanOrEqual(3);
    },
    PLAN_MS,
  );

  it(
    'plans a PENDING stay too: a one-night request, before its owner decides',
    async () => {
      // The suite's owners decide within 20 s: plan at once, while it is PENDING.
      const pending = await book(lisbonId, 70, 1);
      const res = await plan(traveler, pending.id);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.plan).toMatchObject({
        bookingId: pending.id,
        destination: { city: 'Lisbon', country: 'Portugal' },
        days: [{ date: pending.checkIn }],
      });
    },
    PLAN_MS,
  );

  it(
    'answers a policy question citing the cancellation policy',
    async () => {
      const { status, events, body } = await chat(traveler, 'Can I cancel an accepted booking?');
      expect(status, JSON.stringify(body)).toBe(200);
      process.stdout.write(
        `[agent] policy chat: ${JSON.stringify(events.filter((e) => e.event !== 'token'))}\n`,
      );
      expect(events.at(-1)?.event).toBe('done');
      // It may look the booking up first; it must read the policies.
      expect(events.filter((e) => e.event === 'step').map((e) => e.data.tool)).toContain(
        'policies',
      );
      const answer = events.find((e) => e.event === 'answer')?.data;
      expect(answer.text.length).toBeGreaterThan(0);
      expect(answer.citations.length).toBeGreaterThan(0);
      expect(answer.citations.every((c: any) => c.document === 'cancellation.md')).toBe(true);
      expect(answer.citations[0].id).toMatch(/^cancellation\.md#/);
    },
    MODEL_CALL_MS,
  );

  it(
    'picks the bookings tool for “what are my bookings”, and streams the answer',
    async () => {
      const { status, events, body } = await chat(traveler, 'What are my bookings?');
      expect(status, JSON.stringify(body)).toBe(200);
      process.stdout.write(
        `[agent] bookings chat: ${JSON.stringify(events.filter((e) => e.event !== 'token'))}\n`,
      );
      const steps = events.filter((e) => e.event === 'step');
      expect(steps[0]?.data).toMatchObject({ step: 1, tool: 'my_bookings' });
      expect(steps[0]?.data.summary).toBe('Looked up your bookings (4)');
      expect(events.some((e) => e.event === 'token')).toBe(true);
      expect(events.find((e) => e.event === 'answer')?.data.text.length).toBeGreaterThan(0);
      expect(events.at(-1)?.event).toBe('done');
    },
    MODEL_CALL_MS,
  );
});

describe.runIf(hasModel)('with the model server killed mid-request', () => {
  let removeModel: (() => Promise<void>) | undefined;
  afterAll(async () => {
    stopExtraProcesses();
    await removeModel?.();
  });

  it(
    'answers 503 planner_unavailable, never a 500 or a plan, and plans again once it is back',
    async () => {
      // A model server and an API + agent of this test's own: the suite's are shared.
      const { server, remove } = await startThrowawayModelServer('agent-kill');
      removeModel = remove;
      const [apiPort] = (await freePorts(1)) as [number];
      await startExtraProcess(
        ['processes/main.ts', 'agent,api'],
        {
          PORT: String(apiPort),
          AGENT_PORT: '0',
          AGENT_LLM_URL: server.url,
          AGENT_LLM_MODEL: server.model,
          // Two model servers share the cores while this runs: give a plan the time it needs.
          AGENT_LLM_TIMEOUT: '150s',
          AGENT_TIMEOUT: '320s',
        },
        /\[staysaga:api\] INFO\s+listening /,
      );
      const base = `http://127.0.0.1:${apiPort}`;
      const started = Date.now();
      const answer = plan(traveler, ids.accepted, base);
      // Well inside the model's work (a plan takes seconds), then kill it as a crash would.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await server.kill();
      const res = await answer;
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.body.error.code).toBe('planner_unavailable');
      expect(res.body.plan).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(30_000);
      // Down from the start: 503 at once, the chat as JSON too.
      const down = await plan(traveler, ids.accepted, base);
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('30');
      const downChat = await requestJson(base, '/api/agent/chat', {
        method: 'POST',
        token: traveler.token,
        body: { messages: [{ role: 'user', content: 'What are my bookings?' }] },
      });
      expect(downChat.status).toBe(503);
      expect(downChat.body.error.code).toBe('planner_unavailable');
      // Back up: a plan again.
      await server.start();
      const again = await plan(traveler, ids.accepted, base);
      expect(again.status, JSON.stringify(again.body)).toBe(200);
    },
    2 * PLAN_MS,
  );
});
