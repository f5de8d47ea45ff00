/**
 * The planner's pure parts: which dates a plan covers, the schema the model writes under, what
 * a valid reply is, how the plan is assembled from StaySaga's facts, and the one retry, all
 * with a model server played by a fake fetch.
 */
import { describe, expect, it } from 'vitest';
import type { PlanRequest } from '../../agent/contract.js';
import { LlmClient, LlmError } from '../../agent/llm-client.js';
import {
  assemblePlan,
  parsePlanReply,
  planDates,
  planMaxTokens,
  planMessages,
  planReplyJsonSchema,
  planTrip,
} from '../../agent/plan.js';

const request: PlanRequest = {
  booking: {
    id: 'a'.repeat(24),
    propertyId: 'b'.repeat(24),
    propertyName: 'Luxury Beach Villa',
    city: 'Lisbon',
    country: 'Portugal',
    checkIn: '2028-02-27',
    checkOut: '2028-03-01',
    nights: 3,
    guests: 4,
    status: 'ACCEPTED',
    totalPrice: 850,
    currency: 'USD',
    ownerDecisionDeadline: '2028-02-01T00:00:00.000Z',
  },
  property: {
    id: 'b'.repeat(24),
    name: 'Luxury Beach Villa',
    type: 'villa',
    city: 'Lisbon',
    country: 'Portugal',
    description: 'Bright villa by the river.',
    amenities: ['wifi', 'pool'],
    maxGuests: 6,
    bedrooms: 3,
    bathrooms: 2,
    pricePerNight: 250,
    cleaningFee: 60,
    serviceFee: 40,
  },
  preferences: { budget: 'medium', interests: ['food', 'history'], diet: 'vegetarian' },
};

const day = (n: number) => ({
  morning: `Walk the Alfama quarter ${n}`,
  afternoon: `Tiles museum ${n}`,
  evening: `Fado dinner ${n}`,
});
const validReply = (days: number) => ({
  days: Array.from({ length: days }, (_, i) => day(i + 1)),
  restaurants: [{ name: 'Ao 26 Vegan Food Project', note: 'vegetarian, near Chiado' }],
  packing: ['comfortable shoes', 'light jacket'],
  tips: ['Buy a Viva Viagem card for trams'],
});

/** A model server answering each call with the next of `contents` (a string, or an Error to throw). */
function fakeModel(contents: (string | Error | { content: string; finish: string })[]) {
  const calls: any[] = [];
  const fakeFetch = (async (_url: string, init: RequestInit) => {
    calls.push(JSON.parse(init.body as string));
    const next = contents.shift();
    if (next instanceof Error) throw next;
    const content = typeof next === 'string' ? next : (next?.content ?? '');
    const finish = typeof next === 'object' ? next.finish : 'stop';
    return new Response(
      JSON.stringify({
        choices: [{ message: { content }, finish_reason: finish }],
        usage: { completion_tokens: 120, prompt_tokens: 90 },
      }),
      { headers: { 'content-type': 'application/json' } },
    );
  }) as unknown as typeof fetch;
  const llm = new LlmClient({
    baseUrl: 'http://model/v1',
    model: 'tiny',
    timeoutMs: 5_000,
    fetch: fakeFetch,
  });
  return { llm, calls };
}

describe('the dates of a plan', () => {
  it('are the nights of the stay: check-in to the day before check-out, across month ends', () => {
    expect(planDates('2028-02-27', '2028-03-01')).toEqual([
      '2028-02-27',
      '2028-02-28',
      '2028-02-29',
    ]);
    expect(planDates('2027-12-31', '2028-01-01')).toEqual(['2027-12-31']);
  });
});

describe('the reply the model writes', () => {
  it('has exactly one entry per day in its schema, and bounded text', () => {
    const schema = planReplyJsonSchema(3) as any;
    expect(schema.properties.days).toMatchObject({ minItems: 3, maxItems: 3 });
    expect(schema.properties.days.items.properties.morning.maxLength).toBeLessThanOrEqual(100);
    expect(planMaxTokens(3, 1500)).toBeLessThan(700);
    expect(planMaxTokens(10, 800)).toBe(800);
  });

  it('is valid only with the right number of days, real text, and not one activity all day', () => {
    expect(parsePlanReply(JSON.stringify(validReply(3)), 3).ok).toBe(true);
    expect(parsePlanReply(JSON.stringify(validReply(2)), 3)).toMatchObject({ ok: false });
    expect(parsePlanReply('{"days":[{"morning":"Walk', 3)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('not JSON'),
    });
    const same = validReply(3);
    same.days[1] = { morning: 'Beach', afternoon: 'Beach', evening: 'Beach' };
    expect(parsePlanReply(JSON.stringify(same), 3)).toMatchObject({ ok: false });
    const blank = validReply(3);
    blank.days[0]!.evening = '...';
    expect(parsePlanReply(JSON.stringify(blank), 3)).toMatchObject({ ok: false });
  });

  it('is asked for with the facts of the stay in a short prompt', () => {
    const [system, user] = planMessages(request, planDates('2028-02-27', '2028-03-01'));
    expect(system?.content).toContain('Lisbon, Portugal');
    expect(user?.content).toContain('Plan 3 days in Lisbon, Portugal for 4 guests');
    expect(user?.content).toContain('2028-02-27, 2028-02-28, 2028-02-29');
    expect(user?.content).toContain('interests: food, history');
    expect(user?.content).toContain('Amenities: wifi, pool');
    expect(`${system?.content}${user?.content}`.length).toBeLessThan(1200);
  });
});

describe('a plan', () => {
  it('takes its dates, destination, party and listing from StaySaga and the text from the model', () => {
    const dates = planDates(request.booking.checkIn, request.booking.checkOut);
    const reply = parsePlanReply(JSON.stringify(validReply(3)), 3);
    if (!reply.ok) throw new Error(reply.problem);
    const plan = assemblePlan(request, dates, reply.reply, {
      model: 'tiny',
      ms: 1,
      attempts: 1,
      completionTokens: 1,
    });
    expect(plan.days.map((d) => d.date)).toEqual(dates);
    expect(plan.destination).toEqual({ city: 'Lisbon', country: 'Portugal' });
    expect(plan).toMatchObject({ guests: 4, propertyName: 'Luxury Beach Villa' });
    expect(plan.days[0]).toEqual({ date: '2028-02-27', ...day(1) });
    expect(plan.packingList).toEqual(['comfortable shoes', 'light jacket']);
  });

  it('is asked for under the JSON schema with capped tokens, and made on the first valid reply', async () => {
    const { llm, calls } = fakeModel([JSON.stringify(validReply(3))]);
    const plan = await planTrip(llm, request, { maxTokensCap: 1500 });
    expect(plan.generatedBy).toMatchObject({ model: 'tiny', attempts: 1, completionTokens: 120 });
    expect(calls).toHaveLength(1);
    expect(calls[0].response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'trip_plan', strict: true, schema: planReplyJsonSchema(3) },
    });
    expect(calls[0].max_tokens).toBe(planMaxTokens(3, 1500));
  });

  it('is retried once after a reply that does not validate or was cut short', async () => {
    const wrong = fakeModel([JSON.stringify(validReply(2)), JSON.stringify(validReply(3))]);
    expect((await planTrip(wrong.llm, request, { maxTokensCap: 1500 })).generatedBy.attempts).toBe(
      2,
    );
    const cut = fakeModel([
      { content: JSON.stringify(validReply(3)), finish: 'length' },
      JSON.stringify(validReply(3)),
    ]);
    expect((await planTrip(cut.llm, request, { maxTokensCap: 1500 })).generatedBy.attempts).toBe(2);
  });

  it('is an error, never a stand-in, when the second reply fails too', async () => {
    const { llm, calls } = fakeModel(['{"days":[]}', 'not json']);
    const failure = await planTrip(llm, request, { maxTokensCap: 1500 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LlmError);
    expect(failure).toMatchObject({ kind: 'invalid_reply' });
    expect(calls).toHaveLength(2);
  });

  it('is not retried when the model server is down: one call, "unavailable"', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED' },
    });
    const { llm, calls } = fakeModel([refused, JSON.stringify(validReply(3))]);
    const failure = await planTrip(llm, request, { maxTokensCap: 1500 }).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      kind: 'unavailable',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(calls).toHaveLength(1);
  });

  it('times out as "timeout" when the model takes longer than AGENT_LLM_TIMEOUT', async () => {
    const slow = (async (_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) =>
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)),
      )) as unknown as typeof fetch;
    const llm = new LlmClient({ baseUrl: 'http://m/v1', model: 'm', timeoutMs: 50, fetch: slow });
    await expect(planTrip(llm, request, { maxTokensCap: 1500 })).rejects.toMatchObject({
      kind: 'timeout',
    });
  });
});
