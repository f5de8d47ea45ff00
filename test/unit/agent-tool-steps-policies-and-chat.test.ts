/**
 * The chat's pure parts: the schema of each step (what may be chosen, the caller's own ids only,
 * only an answer at the last step), the tools over the facts the API sent, policy retrieval and
 * citations, the answer's text streamed out of its JSON, the loop with a fake model server, and
 * the agent app's door (the API's credential, 503 when the model is down).
 */
import { describe, expect, it } from 'vitest';
import { createAgentApp, bearerMatches } from '../../agent/app.js';
import { AnswerTextStream } from '../../agent/answer-stream.js';
import { MAX_STEPS, choicesAt, citationsOf, runChat } from '../../agent/chat.js';
import type { ChatEvent, ChatRequest } from '../../agent/contract.js';
import { LlmClient } from '../../agent/llm-client.js';
import { PolicyLibrary, headingAnchor, loadPolicySections } from '../../agent/policies.js';
import { readServerSentEvents } from '../../agent/sse.js';
import { parseStep, runTool, stepJsonSchema, type StepChoices } from '../../agent/tool-step.js';
import { createLogger } from '../../config/logger.js';

const MINE = 'a'.repeat(24);
const PROPERTY = 'b'.repeat(24);
const context: ChatRequest['context'] = {
  today: '2027-05-01',
  travelerName: 'Tom',
  bookings: [
    {
      id: MINE,
      propertyId: PROPERTY,
      propertyName: 'Luxury Beach Villa',
      city: 'Lisbon',
      country: 'Portugal',
      checkIn: '2027-06-01',
      checkOut: '2027-06-04',
      nights: 3,
      guests: 2,
      status: 'PENDING',
      totalPrice: 850,
      currency: 'USD',
      ownerDecisionDeadline: '2027-05-02T10:00:00.000Z',
    },
  ],
  properties: [
    {
      id: PROPERTY,
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
  ],
};
const policies = new PolicyLibrary();

describe('a step the model may take', () => {
  const choices = (over: Partial<StepChoices> = {}): StepChoices => ({
    tools: ['my_bookings', 'booking_details', 'property_details', 'policies'],
    bookingIds: [MINE],
    propertyIds: [PROPERTY],
    citable: [],
    ...over,
  });

  it('names only the caller’s own ids, and cites only sections it was shown', () => {
    const schema = stepJsonSchema(choices()) as any;
    const details = schema.anyOf.find((v: any) => v.properties.tool?.const === 'booking_details');
    expect(details.properties.args.properties.bookingId).toEqual({ enum: [MINE] });
    const answer = schema.anyOf.find((v: any) => v.properties.action.const === 'answer');
    expect(answer.properties.citations).toBeUndefined();
    const shown = stepJsonSchema(choices({ citable: ['cancellation.md#currency'] })) as any;
    const cited = shown.anyOf.find((v: any) => v.properties.action.const === 'answer');
    expect(cited.properties.citations.items).toEqual({ enum: ['cancellation.md#currency'] });
  });

  it('is only an answer at the last step', () => {
    const last = choicesAt(MAX_STEPS, new Set(), context, []);
    expect(last.tools).toEqual([]);
    expect((stepJsonSchema(last) as any).properties.action).toEqual({ const: 'answer' });
    const afterBookings = choicesAt(2, new Set(['my_bookings'] as const), context, []);
    expect(afterBookings.tools).not.toContain('my_bookings');
  });

  it('is validated again: another id, an unknown tool or an unshown citation is refused', () => {
    const ok = parseStep(
      '{"action":"tool","tool":"booking_details","args":{"bookingId":"' + MINE + '"}}',
      choices(),
    );
    expect(ok).toMatchObject({ ok: true, step: { tool: 'booking_details' } });
    const other = `{"action":"tool","tool":"booking_details","args":{"bookingId":"${'c'.repeat(24)}"}}`;
    expect(parseStep(other, choices()).ok).toBe(false);
    expect(parseStep('{"action":"tool","tool":"delete_all","args":{}}', choices()).ok).toBe(false);
    expect(
      parseStep('{"action":"answer","text":"Yes","citations":["privacy.md#photos"]}', choices()).ok,
    ).toBe(false);
    expect(parseStep('{"action":"answer","text":"Yes"}', choices({ tools: [] })).ok).toBe(true);
    expect(
      parseStep('{"action":"tool","tool":"my_bookings","args":{}}', choices({ tools: [] })).ok,
    ).toBe(false);
  });
});

describe('the tools', () => {
  it('read only the facts the API sent', () => {
    const list = runTool({ action: 'tool', tool: 'my_bookings', args: {} }, context, policies);
    expect(list.text).toContain(
      `${MINE}: Luxury Beach Villa in Lisbon, Portugal, 2027-06-01 to 2027-06-04`,
    );
    expect(list.summary).toBe('Looked up your bookings (1)');
    const details = runTool(
      { action: 'tool', tool: 'booking_details', args: { bookingId: MINE } },
      context,
      policies,
    );
    expect(details.text).toContain('Total price 850 USD');
    expect(details.text).toContain('The owner must decide by 2027-05-02T10:00:00.000Z');
    const property = runTool(
      { action: 'tool', tool: 'property_details', args: { propertyId: PROPERTY } },
      context,
      policies,
    );
    expect(property.text).toContain('Amenities: wifi, pool');
  });

  it('find the policy sections a question is about', () => {
    const cancel = policies.search('can I cancel an accepted booking?').map((h) => h.section.id);
    expect(cancel).toContain('cancellation.md#when-a-traveler-may-cancel');
    expect(cancel.every((id) => id.startsWith('cancellation.md#'))).toBe(true);
    expect(policies.search('how do I reset my password')[0]?.section.id).toBe(
      'privacy.md#password-reset',
    );
    expect(policies.search('how is the price computed')[0]?.section.id).toBe(
      'payment.md#how-the-price-is-computed',
    );
    const shown = runTool(
      { action: 'tool', tool: 'policies', args: { query: 'refund' } },
      context,
      policies,
    );
    expect(shown.sections[0]?.id).toBe('payment.md#paying-and-refunds');
    expect(shown.text).toContain('[payment.md#paying-and-refunds]');
  });

  it('give every policy section the anchor of its heading', () => {
    const sections = loadPolicySections();
    expect(new Set(sections.map((s) => s.document))).toEqual(
      new Set(['cancellation.md', 'payment.md', 'privacy.md']),
    );
    for (const s of sections) expect(s.id).toBe(`${s.document}#${headingAnchor(s.title)}`);
    expect(new Set(sections.map((s) => s.id)).size).toBe(sections.length);
  });
});

describe('citations', () => {
  const shown = policies.search('cancel accepted booking').map((h) => h.section);
  it('keep the sections the answer named among those it was shown, else its best match', () => {
    const named = shown[1]!.id;
    expect(citationsOf([named, 'privacy.md#photos'], shown).map((c) => c.id)).toEqual([named]);
    expect(citationsOf(undefined, shown).map((c) => c.id)).toEqual([shown[0]!.id]);
    expect(citationsOf(['privacy.md#photos'], [])).toEqual([]);
  });
});

describe('the answer text as it streams', () => {
  it('is the text of an answer, escapes decoded, whatever the pieces', () => {
    const json = JSON.stringify({
      action: 'answer',
      text: 'Yes, "until" check-in.\nSee é',
      citations: ['x'],
    });
    for (const size of [1, 3, 7, 100]) {
      const stream = new AnswerTextStream();
      let out = '';
      for (let i = 0; i < json.length; i += size) out += stream.push(json.slice(i, i + size));
      expect(out).toBe('Yes, "until" check-in.\nSee é');
    }
    const tool = new AnswerTextStream();
    expect(tool.push('{"action":"tool","text":"no"}')).toBe('');
  });
});

/** A model server that streams each call's reply from `replies`, in small pieces. */
function streamingModel(replies: string[]) {
  const calls: any[] = [];
  const fakeFetch = (async (_url: string, init: RequestInit) => {
    calls.push(JSON.parse(init.body as string));
    const content = replies.shift() ?? '';
    const chunks = content.match(/.{1,5}/gs) ?? [];
    const lines = [
      ...chunks.map((c) => `data: ${JSON.stringify({ choices: [{ delta: { content: c } }] })}\n\n`),
      `data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }], usage: { completion_tokens: 9 } })}\n\n`,
      'data: [DONE]\n\n',
    ];
    return new Response(lines.join(''), { headers: { 'content-type': 'text/event-stream' } });
  }) as unknown as typeof fetch;
  return {
    llm: new LlmClient({
      baseUrl: 'http://m/v1',
      model: 'tiny',
      timeoutMs: 5_000,
      fetch: fakeFetch,
    }),
    calls,
  };
}

const question = (content: string): ChatRequest => ({
  messages: [{ role: 'user', content }],
  context,
});

describe('a chat turn', () => {
  it('runs the tool the model picks, then streams and gives its answer', async () => {
    const { llm, calls } = streamingModel([
      '{"action":"tool","tool":"my_bookings","args":{}}',
      '{"action":"answer","text":"You have one booking, in Lisbon."}',
    ]);
    const events: ChatEvent[] = [];
    await runChat(llm, policies, question('What are my bookings?'), (e) => events.push(e), {
      maxTokensCap: 1500,
    });
    expect(events.map((e) => e.event).filter((e) => e !== 'token')).toEqual([
      'step',
      'answer',
      'done',
    ]);
    expect(events[0]).toMatchObject({ event: 'step', data: { step: 1, tool: 'my_bookings' } });
    const tokens = events.filter((e) => e.event === 'token').map((e) => e.data.text);
    expect(tokens.join('')).toBe('You have one booking, in Lisbon.');
    expect(calls[0].response_format.type).toBe('json_schema');
    expect(calls[0].stream).toBe(true);
    expect(calls[1].messages.at(-1).content).toContain(`${MINE}: Luxury Beach Villa`);
  });

  it('cites the policy sections it was shown', async () => {
    const { llm } = streamingModel([
      '{"action":"tool","tool":"policies","args":{"query":"cancel accepted booking"}}',
      '{"action":"answer","text":"Yes, until check-in.","citations":["cancellation.md#when-a-traveler-may-cancel"]}',
    ]);
    const events: ChatEvent[] = [];
    await runChat(
      llm,
      policies,
      question('Can I cancel an accepted booking?'),
      (e) => events.push(e),
      {
        maxTokensCap: 1500,
      },
    );
    const answer = events.find((e) => e.event === 'answer');
    expect(answer?.data).toMatchObject({
      text: 'Yes, until check-in.',
      citations: [
        { id: 'cancellation.md#when-a-traveler-may-cancel', document: 'cancellation.md' },
      ],
    });
  });

  it('fails after a step that is twice not valid, saying so once streamed text is void', async () => {
    const { llm } = streamingModel([
      '{"action":"answer","text":"Yes',
      '{"action":"answer","text":"Ye',
    ]);
    const events: ChatEvent[] = [];
    await expect(
      runChat(llm, policies, question('Hi'), (e) => events.push(e), { maxTokensCap: 1500 }),
    ).rejects.toMatchObject({ kind: 'invalid_reply' });
    expect(events.some((e) => e.event === 'retry')).toBe(true);
    expect(events.some((e) => e.event === 'answer')).toBe(false);
  });
});

describe('the agent app', () => {
  const key = 'k'.repeat(32);
  const down = (async () => {
    throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  }) as unknown as typeof fetch;
  const app = createAgentApp({
    llm: new LlmClient({
      baseUrl: 'http://127.0.0.1:9/v1',
      model: 'tiny',
      timeoutMs: 1_000,
      fetch: down,
    }),
    policies,
    apiKey: key,
    maxTokensCap: 1500,
    maxInFlight: 2,
    log: createLogger('test', 'error'),
  });
  const post = (path: string, body: unknown, token = key) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

  it('takes only the API’s credential, compared in constant time', async () => {
    expect(bearerMatches(`Bearer ${key}`, key)).toBe(true);
    expect(bearerMatches(`Bearer ${key}x`, key)).toBe(false);
    expect(bearerMatches(undefined, key)).toBe(false);
    expect(bearerMatches('Bearer ', key)).toBe(false);
    expect((await post('/v1/chat', question('hi'), 'wrong-key-wrong-key')).status).toBe(401);
    expect((await app.request('/health')).status).toBe(200);
  });

  it('answers 503 planner_unavailable, as JSON, when the model is down', async () => {
    const chat = await post('/v1/chat', question('What are my bookings?'));
    expect(chat.status).toBe(503);
    expect(await chat.json()).toMatchObject({ error: { code: 'planner_unavailable' } });
    expect(chat.headers.get('retry-after')).toBe('30');
    expect((await post('/v1/plan', { booking: {} })).status).toBe(400);
  });
});

describe('server-sent events', () => {
  it('are read across chunk boundaries, comments and multi-line data included', async () => {
    const text = ': hi\nevent: step\ndata: {"a":\ndata: 1}\n\nevent: done\r\ndata: {}\r\n\r\n';
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 4) controller.enqueue(bytes.slice(i, i + 4));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readServerSentEvents(body)) events.push(event);
    expect(events).toEqual([
      { event: 'step', data: '{"a":\n1}' },
      { event: 'done', data: '{}' },
    ]);
  });
});
