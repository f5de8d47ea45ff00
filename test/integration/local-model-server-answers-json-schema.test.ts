/**
 * The agent's local model server (stack/llm.ts: llama.cpp's server from xllamacpp, on the real
 * Qwen2.5-Coder 0.5B the stack installed) as the agent uses it: OpenAI-compatible chat
 * completions whose answer is held to a JSON schema, and a streamed answer in chunks.
 */
import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';

const baseUrl = inject('agentLlmUrl');
const model = inject('agentLlmModel');

const schema = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    country: { type: 'string' },
    days: {
      type: 'array',
      minItems: 2,
      maxItems: 2,
      items: {
        type: 'object',
        properties: {
          morning: { type: 'string' },
          afternoon: { type: 'string' },
          evening: { type: 'string' },
        },
        required: ['morning', 'afternoon', 'evening'],
        additionalProperties: false,
      },
    },
    packingList: { type: 'array', items: { type: 'string' }, maxItems: 5 },
  },
  required: ['city', 'country', 'days', 'packingList'],
  additionalProperties: false,
} as const;

const Plan = z
  .object({
    city: z.string(),
    country: z.string(),
    days: z
      .array(z.object({ morning: z.string(), afternoon: z.string(), evening: z.string() }).strict())
      .length(2),
    packingList: z.array(z.string()).max(5),
  })
  .strict();

async function chat(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, temperature: 0, ...body }),
    signal: AbortSignal.timeout(100_000),
  });
}

describe.skipIf(baseUrl === null)('the local model server (STAYSAGA_AGENT=off skips this)', () => {
  it('lists the model it serves', async () => {
    const response = await fetch(`${baseUrl}/models`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { id: string }[] };
    expect(body.data.map((m) => m.id)).toEqual([model]);
  });

  it('answers with JSON that parses and matches the response_format json_schema', async () => {
    const response = await chat({
      max_tokens: 400,
      messages: [
        { role: 'system', content: 'You plan trips. Answer with JSON only.' },
        {
          role: 'user',
          content: 'A two-day plan for Lisbon, Portugal, and a short packing list.',
        },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'trip_plan', strict: true, schema },
      },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      model: string;
      choices: { finish_reason: string; message: { role: string; content: string } }[];
      usage: { completion_tokens: number };
    };
    const [choice] = body.choices;
    expect(choice?.finish_reason).toBe('stop');
    const plan = Plan.parse(JSON.parse(choice!.message.content));
    expect(plan.days).toHaveLength(2);
    expect(body.usage.completion_tokens).toBeGreaterThan(10);
  });

  it('streams an answer as server-sent chunks, ending with [DONE]', async () => {
    const response = await chat({
      max_tokens: 24,
      stream: true,
      messages: [{ role: 'user', content: 'Name three sights in Porto.' }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    const events = text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice('data: '.length));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map(
      (event) =>
        JSON.parse(event) as {
          object: string;
          choices: { delta: { content?: string | null }; finish_reason: string | null }[];
        },
    );
    const contentChunks = chunks.filter((c) => c.choices[0]?.delta.content);
    expect(contentChunks.length).toBeGreaterThan(5);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean)).toEqual(['length']);
    expect(contentChunks.map((c) => c.choices[0]!.delta.content).join('')).toMatch(/\S/);
  });
});
