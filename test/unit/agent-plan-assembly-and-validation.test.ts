/**
 * The planner's pure parts: which dates a plan covers, the schemas the model writes under (one
 * day per call, then the lists), what a valid reply is, how the plan is assembled from
 * StaySaga's facts, and the one retry per part, all with a model server played by a fake fetch.
 */
import { describe, expect, it } from 'vitest';
import type { PlanRequest } from '../../agent/contract.js';
import { LlmClient, LlmError } from '../../agent/llm-client.js';
import {
  DAY_MAX_TOKENS,
  DAY_REPLY_JSON_SCHEMA,
  EXTRAS_REPLY_JSON_SCHEMA,
  assemblePlan,
  dayMessages,
  dayReplySchema,
  extrasMessages,
  extrasReplySchema,
  parseReply,
  planDates,
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
  afternoon: `The national tiles museum ${n}`,
  evening: `Fado dinner in the Mouraria ${n}`,
});
const extras = {
  restaurants: [{ name: 'Ao 26 Vegan Food Project', note: 'vegetarian, near Chiado' }],
  packing: ['comfortable shoes', 'light jacket'],
  tips: ['Buy a Viva Viagem card for trams'],
};
/** What a good model answers, call by call, for a plan of `days` days. */
const validReplies = (days: number) => [
  ...Array.from({ length: days }, (_, i) => JSON.stringify(day(i + 1))),
  JSON.stringify(extras),
];

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

describe('the replies the model writes', () => {
  it('are one day, or the lists, under schemas with bounded text', () => {
    expect(DAY_REPLY_JSON_SCHEMA).toMatchObject({
      required: ['morning', 'afternoon', 'evening'],
      additionalProperties: false,
    });
    const morning = (DAY_REPLY_JSON_SCHEMA as any).properties.morning;
    expect(morning.maxLength).toBeLessThanOrEqual(100);
    expect(morning.minLength).toBeGreaterThanOrEqual(10);
    expect((EXTRAS_REPLY_JSON_SCHEMA as any).properties.restaurants.maxItems).toBe(3);
  });

  it('make a valid day only with three different real activities, none an earlier day has', () => {
    const schema = dayReplySchema([]);
    expect(parseReply(JSON.stringify(day(1)), schema).ok).toBe(true);
    expect(parseReply('{"morning":"Walk', schema)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('not JSON'),
    });
    const beach = 'A long day on Cascais beach';
    const same = { morning: beach, afternoon: beach, evening: 'Dinner in Cascais harbour' };
    expect(parseReply(JSON.stringify(same), schema)).toMatchObject({ ok: false });
    expect(parseReply(JSON.stringify({ ...day(1), evening: 'Food' }), schema)).toMatchObject({
      ok: false,
    });
    expect(parseReply(JSON.stringify({ ...day(1), evening: '.............' }), schema).ok).toBe(
      false,
    );
    const repeat = parseReply(JSON.stringify(day(2)), dayReplySchema([day(2).afternoon]));
    expect(repeat).toMatchObject({
      ok: false,
      problem: 'afternoon: an earlier day already has this activity',
    });
  });

  it('keep one of each restaurant, item and tip, and never the stay as a restaurant', () => {
    const reply = parseReply(
      JSON.stringify({
        restaurants: [
          { name: 'Luxury Beach Villa', note: 'the stay itself, again' },
          { name: 'Taberna da Rua', note: 'petiscos' },
          { name: 'taberna da rua!', note: 'same place' },
        ],
        packing: ['Hat', 'hat', 'sun cream'],
        tips: ['Trams are slow', 'Trams are slow'],
      }),
      extrasReplySchema('Luxury Beach Villa'),
    );
    expect(reply).toEqual({
      ok: true,
      reply: {
        restaurants: [{ name: 'Taberna da Rua', note: 'petiscos' }],
        packing: ['Hat', 'sun cream'],
        tips: ['Trams are slow'],
      },
    });
    const onlyTheStay = parseReply(
      JSON.stringify({ ...extras, restaurants: [{ name: 'Luxury Beach Villa', note: 'home' }] }),
      extrasReplySchema('Luxury Beach Villa'),
    );
    expect(onlyTheStay).toMatchObject({ ok: false });
  });

  it('are asked for with the facts of the stay in short prompts, one day at a time', () => {
    const dates = planDates('2028-02-27', '2028-03-01');
    const [system, user] = dayMessages(request, dates, 1);
    expect(system?.content).toContain('Lisbon, Portugal');
    expect(user?.content).toContain('A trip of 3 days in Lisbon, Portugal for 4 guests');
    expect(user?.content).toContain('2028-02-27 to 2028-02-29');
    expect(user?.content).toContain('Now day 2 of 3 (2028-02-28), about: history.');
    expect(user?.content).toContain('interests: food, history');
    expect(user?.content).toContain('Amenities: wifi, pool');
    expect(`${system?.content}${user?.content}`.length).toBeLessThan(1200);
    // Every call opens with the same facts, so the model server reuses its cached prefix.
    const [, lists] = extrasMessages(request, dates);
    const facts = (user?.content ?? '').split('\nNow')[0] as string;
    expect(lists?.content.startsWith(facts)).toBe(true);
  });
});

describe('a plan', () => {
  it('takes its dates, destination, party and listing from StaySaga and the text from the model', () => {
    const dates = planDates(request.booking.checkIn, request.booking.checkOut);
    const plan = assemblePlan(request, dates, [day(1), day(2), day(3)], extras, {
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

  it('is asked for day by day under the JSON schemas with capped tokens, then the lists', async () => {
    const { llm, calls } = fakeModel(validReplies(3));
    const plan = await planTrip(llm, request, { maxTokensCap: 1500 });
    expect(plan.generatedBy).toMatchObject({ model: 'tiny', attempts: 1, completionTokens: 480 });
    expect(plan.days.map((d) => d.morning)).toEqual([1, 2, 3].map((n) => day(n).morning));
    expect(calls).toHaveLength(4);
    expect(calls[0].response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'trip_plan_day', strict: true, schema: DAY_REPLY_JSON_SCHEMA },
    });
    expect(calls[0].max_tokens).toBe(DAY_MAX_TOKENS);
    expect(calls[3].response_format.json_schema.name).toBe('trip_plan_lists');
  });

  it('retries a part once after a reply that does not validate or was cut short, saying why', async () => {
    const [first, second, third, lists] = validReplies(3) as [string, string, string, string];
    // Day 2 copies day 1 at first.
    const copied = fakeModel([first, first, second, third, lists]);
    const plan = await planTrip(copied.llm, request, { maxTokensCap: 1500 });
    expect(plan.generatedBy.attempts).toBe(2);
    expect(copied.calls).toHaveLength(5);
    expect(copied.calls[2].messages.at(-1).content).toContain(
      'an earlier day already has this activity',
    );
    const cut = fakeModel([{ content: first, finish: 'length' }, first, second, third, lists]);
    expect((await planTrip(cut.llm, request, { maxTokensCap: 1500 })).generatedBy.attempts).toBe(2);
  });

  it('is an error, never a stand-in, when a part fails three times', async () => {
    const { llm, calls } = fakeModel(['{"morning":"x"}', 'not json', '{}']);
    const failure = await planTrip(llm, request, { maxTokensCap: 1500 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LlmError);
    expect(failure).toMatchObject({ kind: 'invalid_reply' });
    expect(calls).toHaveLength(3);
  });

  it('is not retried when the model server is down: one call, "unavailable"', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED' },
    });
    const { llm, calls } = fakeModel([refused, ...validReplies(3)]);
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
