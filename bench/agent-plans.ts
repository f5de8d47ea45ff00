/**
 * The trip planner on a local model: plan latency (p50, p95) over N plans of a 3-night stay,
 * generation speed (completion tokens per second of model time), a 2-step chat ("what are my
 * bookings?": a tool step, then the streamed answer), and the memory of the model server and
 * of this Node process (the agent's code runs here, as in the agent service).
 *
 *   npx tsx bench/agent-plans.ts [--plans 10] [--nights 3]
 *   STAYSAGA_AGENT_MODEL=1.5b npx tsx bench/agent-plans.ts     (the other local model)
 *   AGENT_LLM_URL=http://127.0.0.1:11434/v1 AGENT_LLM_MODEL=... npx tsx bench/agent-plans.ts
 *
 * Without AGENT_LLM_URL it starts a model server of its own (stack/llm.ts, installed on first
 * use) on a free port and stops it at the end. Plans run one at a time, as one traveler's would.
 */
import { parseArgs } from 'node:util';
import { runChat } from '../agent/chat.js';
import type { ChatEvent, PlanRequest } from '../agent/contract.js';
import { LlmClient } from '../agent/llm-client.js';
import { planTrip } from '../agent/plan.js';
import { PolicyLibrary } from '../agent/policies.js';
import { localModelFromEnv } from '../stack/llm.js';
import { startThrowawayModelServer } from '../stack/throwaway-stack.js';
import { latencyStats, percentile, writeResults } from './harness.js';
import { readMemoryKiB } from './process-cost.js';

const DAY = 86_400_000;
const day = (offset: number) =>
  new Date(Math.floor(Date.now() / DAY) * DAY + offset * DAY).toISOString().slice(0, 10);

function stay(nights: number): PlanRequest {
  const propertyId = 'b'.repeat(24);
  return {
    booking: {
      id: 'a'.repeat(24),
      propertyId,
      propertyName: 'Alfama Rooftop Flat',
      city: 'Lisbon',
      country: 'Portugal',
      checkIn: day(30),
      checkOut: day(30 + nights),
      nights,
      guests: 2,
      status: 'ACCEPTED',
      totalPrice: 250 * nights + 100,
      currency: 'USD',
      ownerDecisionDeadline: new Date(Date.now() + DAY).toISOString(),
    },
    property: {
      id: propertyId,
      name: 'Alfama Rooftop Flat',
      type: 'apartment',
      city: 'Lisbon',
      country: 'Portugal',
      description:
        'A sunny flat with a rooftop terrace over the Alfama, five minutes from the tram 28.',
      amenities: ['wifi', 'kitchen', 'terrace'],
      maxGuests: 4,
      bedrooms: 2,
      bathrooms: 1,
      pricePerNight: 250,
      cleaningFee: 60,
      serviceFee: 40,
    },
    preferences: { budget: 'medium', interests: ['food', 'history'], diet: 'vegetarian' },
  };
}

const mib = (kib: number | undefined) => (kib === undefined ? null : Math.round(kib / 1024));

async function main() {
  const { values } = parseArgs({
    options: { plans: { type: 'string', default: '10' }, nights: { type: 'string', default: '3' } },
  });
  const plans = Number(values.plans);
  const nights = Number(values.nights);
  const say = (line: string) => process.stdout.write(`[bench:agent] ${line}\n`);

  let url = process.env.AGENT_LLM_URL;
  let model = process.env.AGENT_LLM_MODEL ?? 'local';
  let modelPid: number | undefined;
  let loadMs: number | null = null;
  let remove = async () => {};
  if (!url) {
    const local = localModelFromEnv();
    say(`starting a model server of its own: ${local.description}`);
    const started = await startThrowawayModelServer('bench-agent', { model: local });
    ({ url, model } = started.server);
    modelPid = started.server.process.pid;
    loadMs = started.server.loadMs;
    remove = started.remove;
  }
  const llm = new LlmClient({ baseUrl: url, model, timeoutMs: 180_000 });
  const request = stay(nights);
  const rows: { ms: number; attempts: number; tokens: number }[] = [];
  const rssPeak = { model: 0, node: 0 };
  const sample = () => {
    rssPeak.model = Math.max(rssPeak.model, mib(modelPid && readMemoryKiB(modelPid)?.rss) ?? 0);
    rssPeak.node = Math.max(rssPeak.node, Math.round(process.memoryUsage().rss / 1048576));
  };
  const sampler = setInterval(sample, 200);
  let example: unknown;
  let failures = 0;
  try {
    // One unmeasured plan: the first request also fills the server's prompt cache.
    await planTrip(llm, request, { maxTokensCap: 1500 }).catch(() => undefined);
    for (let i = 1; i <= plans; i++) {
      try {
        const plan = await planTrip(llm, request, { maxTokensCap: 1500 });
        example ??= plan;
        const { ms, attempts, completionTokens } = plan.generatedBy;
        rows.push({ ms, attempts, tokens: completionTokens ?? 0 });
        say(`plan ${i}/${plans}: ${ms} ms, ${attempts} attempt(s), ${completionTokens} tokens`);
      } catch (error) {
        failures++;
        say(`plan ${i}/${plans} failed: ${(error as Error).message}`);
      }
    }
    const chatEvents: ChatEvent[] = [];
    const chatStarted = performance.now();
    let firstToken: number | null = null;
    await runChat(
      llm,
      new PolicyLibrary(),
      {
        messages: [{ role: 'user', content: 'What are my bookings?' }],
        context: {
          today: day(0),
          travelerName: 'Tom',
          bookings: [request.booking],
          properties: [request.property],
        },
      },
      (event) => {
        if (event.event === 'token' && firstToken === null) {
          firstToken = Math.round(performance.now() - chatStarted);
        }
        chatEvents.push(event);
      },
      { maxTokensCap: 1500 },
    );
    const chatMs = Math.round(performance.now() - chatStarted);
    sample();
    const times = rows.map((r) => r.ms).sort((a, b) => a - b);
    const latency = { ...latencyStats(times), p95: percentile(times, 95) };
    const tokens = rows.reduce((sum, r) => sum + r.tokens, 0);
    const seconds = rows.reduce((sum, r) => sum + r.ms, 0) / 1000;
    const results = {
      kind: 'agent-plans',
      model,
      nights,
      plans: rows.length,
      failures,
      retried: rows.filter((r) => r.attempts > 1).length,
      latencyMs: latency,
      tokensPerPlan: Math.round(tokens / Math.max(1, rows.length)),
      tokensPerSecond: Math.round((tokens / seconds) * 10) / 10,
      modelLoadMs: loadMs,
      chat: {
        ms: chatMs,
        firstTokenMs: firstToken,
        steps: chatEvents.filter((e) => e.event === 'step').map((e) => e.data),
      },
      rssMiB: { modelServer: rssPeak.model || null, agentNode: rssPeak.node },
      example,
    };
    say(
      `plans: p50 ${latency.p50} ms, p95 ${latency.p95} ms, ${results.tokensPerSecond} tokens/s, ` +
        `${results.tokensPerPlan} tokens a plan, ${results.retried} retried, ${failures} failed`,
    );
    say(`chat (tool + answer): ${chatMs} ms, first token after ${firstToken} ms`);
    say(`RSS: model server ${results.rssMiB.modelServer} MiB, agent (Node) ${rssPeak.node} MiB`);
    say(`results in ${writeResults('bench/results', results)}`);
  } finally {
    clearInterval(sampler);
    await remove();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
