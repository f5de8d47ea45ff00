/**
 * A chat turn as a bounded loop: at each step the model writes one schema-constrained object,
 * a tool call or the answer (agent/tool-step.ts). A tool runs over the facts the API sent, its
 * result goes back to the model, and after at most MAX_STEPS steps there is an answer, or an
 * error. Each step's reply is validated, and retried once; the answer's citations are only the
 * policy sections the model was shown.
 */
import type { ChatEvent, ChatRequest, Citation } from './contract.js';
import { AnswerTextStream } from './answer-stream.js';
import { LlmError, type LlmClient, type LlmMessage } from './llm-client.js';
import type { PolicyLibrary, PolicySection } from './policies.js';
import {
  ANSWER_CHARS,
  TOOLS,
  parseStep,
  runTool,
  stepJsonSchema,
  type StepChoices,
  type ToolName,
  type ToolStep,
} from './tool-step.js';

/** Model calls in one turn: tools, then the answer; the last step can only answer. */
export const MAX_STEPS = 4;
/** Earlier messages the model reads besides the last one. */
const HISTORY = 6;
const STEP_MAX_TOKENS = 320;

/** The same for every conversation, so the model server reuses its cached prefix. */
export const CHAT_SYSTEM_PROMPT = `You are StaySaga's trip assistant. Reply with one JSON object: a tool call or the answer.
Tools:
- my_bookings: the traveler's bookings (places, dates, status).
- booking_details {bookingId}: one booking's price, deadline and status.
- property_details {propertyId}: a listing's rooms, amenities, fees and description.
- policies {query}: StaySaga's rules on cancelling, deadlines, prices, payment, privacy, passwords.
Never guess facts about bookings or rules: use a tool first. Questions on cancelling, refunds, prices, deadlines, limits, passwords or data: use policies. Then answer in at most 3 short sentences, citing the policy sections used.
Examples:
Q: What are my bookings? -> {"action":"tool","tool":"my_bookings","args":{}}
Q: Can I get a refund? -> {"action":"tool","tool":"policies","args":{"query":"refund"}}
Q: What should I pack for Lisbon in May? -> {"action":"answer","text":"Light clothes, comfortable shoes and a light jacket for the evenings."}`;

function contextLine(context: ChatRequest['context']): string {
  const focus = context.bookings.find((b) => b.id === context.focusBookingId);
  const about = focus
    ? ` This conversation is about booking ${focus.id}: ${focus.propertyName} in ${focus.city}, ${focus.country}, ${focus.checkIn} to ${focus.checkOut}, ${focus.guests} guests, ${focus.status} (property id ${focus.propertyId}).`
    : '';
  return `Today is ${context.today}. The traveler is ${context.travelerName}, with ${context.bookings.length} booking(s).${about}`;
}

/** The messages of the first step. */
export function chatMessages(request: ChatRequest): LlmMessage[] {
  const recent = request.messages.slice(-(HISTORY + 1));
  return [
    { role: 'system', content: `${CHAT_SYSTEM_PROMPT}\n${contextLine(request.context)}` },
    ...recent.map((m) => ({ role: m.role, content: m.content })),
  ];
}

/** What may be chosen at `step`, given the tools used and sections shown so far. */
export function choicesAt(
  step: number,
  used: ReadonlySet<ToolName>,
  context: ChatRequest['context'],
  shown: readonly PolicySection[],
): StepChoices {
  return {
    // After the policies the model has what a rule question needs: it answers (a small model
    // otherwise wanders off to other tools and forgets the question).
    tools: step >= MAX_STEPS || used.has('policies') ? [] : TOOLS.filter((t) => !used.has(t)),
    bookingIds: context.bookings.map((b) => b.id),
    propertyIds: context.properties.map((p) => p.id),
    citable: [...new Set(shown.map((s) => s.id))],
  };
}

/**
 * The sections an answer cites: those it named among the ones it was shown; when it named none
 * but was shown some, the best match of its search (what its answer most likely rests on).
 */
export function citationsOf(
  named: readonly string[] | undefined,
  shown: readonly PolicySection[],
): Citation[] {
  const byId = new Map(shown.map((s) => [s.id, s]));
  const kept = [...new Set(named ?? [])].filter((id) => byId.has(id));
  const ids = kept.length > 0 ? kept : shown.slice(0, 1).map((s) => s.id);
  return ids.map((id) => {
    const s = byId.get(id) as PolicySection;
    return { id: s.id, document: s.document, title: s.title };
  });
}

export interface ChatOptions {
  signal?: AbortSignal;
  maxTokensCap: number;
}

/**
 * Runs one turn, telling `emit` each event (`step`, `token`, `retry`, `answer`, `done`); throws
 * an `LlmError` when the model fails or twice writes something that is not a step.
 */
export async function runChat(
  llm: LlmClient,
  policies: PolicyLibrary,
  request: ChatRequest,
  emit: (event: ChatEvent) => void,
  options: ChatOptions,
): Promise<void> {
  const started = performance.now();
  const messages = chatMessages(request);
  const question = request.messages.at(-1)?.content.slice(0, 300) ?? '';
  const used = new Set<ToolName>();
  const shown: PolicySection[] = [];
  for (let step = 1; step <= MAX_STEPS; step++) {
    const choices = choicesAt(step, used, request.context, shown);
    const chosen = await oneStep(llm, messages, choices, emit, options);
    if (chosen.action === 'answer') {
      emit({
        event: 'answer',
        data: {
          text: chosen.text.slice(0, ANSWER_CHARS),
          citations: citationsOf(chosen.citations, shown),
        },
      });
      emit({
        event: 'done',
        data: { steps: step, ms: Math.round(performance.now() - started), model: llm.model },
      });
      return;
    }
    const result = runTool(chosen, request.context, policies);
    used.add(chosen.tool);
    shown.push(...result.sections);
    emit({
      event: 'step',
      data: {
        step,
        tool: chosen.tool,
        args: chosen.args,
        summary: result.summary,
      },
    });
    messages.push(
      { role: 'assistant', content: JSON.stringify(chosen) },
      {
        role: 'user',
        content: `Result of ${chosen.tool}:\n${result.text}\nUsing this, answer my question: ${question}`,
      },
    );
  }
  // Unreachable: the last step's schema allows only an answer.
  throw new LlmError('invalid_reply', 'The model did not answer within the steps allowed');
}

/** One model call for one step, retried once when the reply is not an allowed step. */
async function oneStep(
  llm: LlmClient,
  messages: LlmMessage[],
  choices: StepChoices,
  emit: (event: ChatEvent) => void,
  options: ChatOptions,
): Promise<ToolStep> {
  let problem = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    const text = new AnswerTextStream();
    let streamed = false;
    const reply = await llm.complete({
      messages,
      schema: { name: 'chat_step', schema: stepJsonSchema(choices) },
      maxTokens: Math.min(STEP_MAX_TOKENS, options.maxTokensCap),
      temperature: attempt === 1 ? 0.2 : 0.6,
      signal: options.signal,
      onDelta: (piece) => {
        const fresh = text.push(piece);
        if (fresh) {
          streamed = true;
          emit({ event: 'token', data: { text: fresh } });
        }
      },
    });
    const parsed =
      reply.finishReason === 'length'
        ? { ok: false as const, problem: 'the step was cut at max_tokens' }
        : parseStep(reply.content, choices);
    if (parsed.ok) return parsed.step;
    problem = parsed.problem;
    if (streamed) emit({ event: 'retry', data: { reason: problem } });
  }
  throw new LlmError('invalid_reply', `The model's step was not valid twice (${problem})`);
}
