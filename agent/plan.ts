/**
 * A day-by-day plan for one stay. StaySaga gives the facts (where, which dates, how many, the
 * listing, the traveler's wishes); the model only writes the text of each part of each day,
 * a few restaurants, a packing list and tips, under a JSON schema with exactly one entry per
 * day. Its reply is validated with zod and retried once; the plan is assembled here, with the
 * dates and the destination from StaySaga. A reply that still fails is an error, never a
 * stand-in plan.
 */
import { z } from 'zod';
import { nightsBetween } from '../domain/stay.js';
import type { PlanRequest, TripPlan } from './contract.js';
import { LlmError, type LlmClient, type LlmMessage } from './llm-client.js';

/** Longest stay the planner writes a plan for: a longer one would take minutes on a small model. */
export const PLAN_MAX_DAYS = 10;

const ACTIVITY_CHARS = 80;
const NOTE_CHARS = 80;

/** The dates a plan covers: one per night, from check-in to the day before check-out. */
export function planDates(checkIn: string, checkOut: string): string[] {
  return nightsBetween({
    checkIn: new Date(`${checkIn}T00:00:00.000Z`),
    checkOut: new Date(`${checkOut}T00:00:00.000Z`),
  });
}

const text = (max: number) => ({ type: 'string', minLength: 3, maxLength: max });

/** The JSON schema of the model's reply for a plan of `days` days (a grammar in llama.cpp). */
export function planReplyJsonSchema(days: number): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['days', 'restaurants', 'packing', 'tips'],
    properties: {
      days: {
        type: 'array',
        minItems: days,
        maxItems: days,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['morning', 'afternoon', 'evening'],
          properties: {
            morning: text(ACTIVITY_CHARS),
            afternoon: text(ACTIVITY_CHARS),
            evening: text(ACTIVITY_CHARS),
          },
        },
      },
      restaurants: {
        type: 'array',
        minItems: 1,
        maxItems: 3,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'note'],
          properties: { name: text(50), note: text(NOTE_CHARS) },
        },
      },
      packing: { type: 'array', minItems: 2, maxItems: 6, items: text(30) },
      tips: { type: 'array', minItems: 1, maxItems: 3, items: text(NOTE_CHARS) },
    },
  };
}

const replyText = (max: number) =>
  z
    .string()
    .trim()
    .min(3)
    .max(max)
    .refine((t) => /\p{L}/u.test(t), 'must say something');

/** The model's reply, checked again (a server may ignore the schema, e.g. a proxy or an old Ollama). */
export function planReplySchema(days: number) {
  return z
    .strictObject({
      days: z
        .array(
          z.strictObject({
            morning: replyText(ACTIVITY_CHARS),
            afternoon: replyText(ACTIVITY_CHARS),
            evening: replyText(ACTIVITY_CHARS),
          }),
        )
        .length(days, `must have exactly ${days} days`),
      restaurants: z
        .array(z.strictObject({ name: replyText(50), note: replyText(NOTE_CHARS) }))
        .min(1)
        .max(3),
      packing: z.array(replyText(30)).min(2).max(6),
      tips: z.array(replyText(NOTE_CHARS)).min(1).max(3),
    })
    .refine(
      (reply) => reply.days.every((d) => new Set([d.morning, d.afternoon, d.evening]).size > 1),
      'a day must not repeat one activity three times',
    );
}
export type PlanReply = z.infer<ReturnType<typeof planReplySchema>>;

/** Why `content` is not a valid reply for `days` days, or the reply. */
export function parsePlanReply(
  content: string,
  days: number,
): { ok: true; reply: PlanReply } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { ok: false, problem: 'the reply is not JSON (cut short?)' };
  }
  const parsed = planReplySchema(days).safeParse(json);
  if (parsed.success) return { ok: true, reply: parsed.data };
  const [issue] = parsed.error.issues;
  return { ok: false, problem: `${issue?.path.join('.') || 'reply'}: ${issue?.message}` };
}

/** The tokens one plan may take: its days, its lists, and the JSON around them. */
export function planMaxTokens(days: number, cap: number): number {
  return Math.min(cap, 260 + 110 * days);
}

/** What each day is about, so a small model does not write the same day twice. */
function dayFocus(index: number, days: number, preferences: PlanRequest['preferences']): string {
  const interests = preferences.interests?.length ? preferences.interests : ['sights', 'food'];
  const focus = interests[index % interests.length] as string;
  if (index === 0) return `arrival, then ${focus} near the stay`;
  if (index === days - 1 && days > 2) return `${focus}, and a last favourite spot`;
  return focus;
}

/** The prompt: short, since a small model on two cores reads about 100 tokens a second. */
export function planMessages(request: PlanRequest, dates: string[]): LlmMessage[] {
  const { booking, property, preferences } = request;
  const where = `${property.city}, ${property.country}`;
  const wishes = [
    preferences.budget && `budget: ${preferences.budget}`,
    preferences.interests?.length && `interests: ${preferences.interests.join(', ')}`,
    preferences.diet && `diet: ${preferences.diet}`,
    preferences.mobility && `mobility: ${preferences.mobility}`,
  ].filter(Boolean);
  const description = property.description.replace(/\s+/g, ' ').slice(0, 300);
  const lines = [
    `Plan ${dates.length} day${dates.length === 1 ? '' : 's'} in ${where} for ${booking.guests} guest${booking.guests === 1 ? '' : 's'}.`,
    `Dates: ${dates.join(', ')} (day 1 is arrival).`,
    `They stay at "${property.name}", a ${property.type} in ${property.city}.`,
    description && `About it: ${description}`,
    property.amenities.length > 0 && `Amenities: ${property.amenities.slice(0, 12).join(', ')}.`,
    wishes.length > 0 && `Traveler: ${wishes.join('; ')}.`,
    ...dates.map((date, i) => `Day ${i + 1} (${date}): ${dayFocus(i, dates.length, preferences)}.`),
    `For each day: a morning, an afternoon and an evening activity at a different real place in ${property.city}, 4 to 10 words each, no day like another.`,
    `Then 3 restaurants in ${property.city} with a short note, 3 to 6 things to pack, and 2 local tips.`,
  ].filter((line): line is string => typeof line === 'string' && line.length > 0);
  return [
    {
      role: 'system',
      content: `You are a local travel guide for ${where}. Reply with compact JSON only. Name real places in ${property.city}; never places in other cities.`,
    },
    { role: 'user', content: lines.join('\n') },
  ];
}

/** The plan: StaySaga's facts, the model's text for each day, in the stay's order. */
export function assemblePlan(
  request: PlanRequest,
  dates: string[],
  reply: PlanReply,
  meta: TripPlan['generatedBy'],
): TripPlan {
  if (reply.days.length !== dates.length) {
    throw new Error(`a plan of ${reply.days.length} days for a stay of ${dates.length}`);
  }
  const { booking, property } = request;
  return {
    bookingId: booking.id,
    destination: { city: property.city, country: property.country },
    propertyName: property.name,
    checkIn: booking.checkIn,
    checkOut: booking.checkOut,
    guests: booking.guests,
    days: dates.map((date, i) => ({ date, ...(reply.days[i] as PlanReply['days'][number]) })),
    restaurants: reply.restaurants,
    packingList: reply.packing,
    tips: reply.tips,
    generatedBy: meta,
  };
}

export const PLAN_ATTEMPTS = 2;

/**
 * A plan for the stay of `request`, from `llm`: at most two attempts; the second one comes
 * only when the first reply did not parse or validate. A timeout or an unreachable model
 * is not retried (it would only double the wait); it is the caller's error to answer.
 */
export async function planTrip(
  llm: LlmClient,
  request: PlanRequest,
  options: { maxTokensCap: number; signal?: AbortSignal },
): Promise<TripPlan> {
  const dates = planDates(request.booking.checkIn, request.booking.checkOut);
  if (dates.length === 0 || dates.length > PLAN_MAX_DAYS) {
    throw new RangeError(`plans cover 1 to ${PLAN_MAX_DAYS} days, not ${dates.length}`);
  }
  const started = performance.now();
  const messages = planMessages(request, dates);
  let problem = '';
  let completionTokens = 0;
  for (let attempt = 1; attempt <= PLAN_ATTEMPTS; attempt++) {
    const reply = await llm.complete({
      messages,
      schema: { name: 'trip_plan', schema: planReplyJsonSchema(dates.length) },
      maxTokens: planMaxTokens(dates.length, options.maxTokensCap),
      // The second try samples a little differently, so it does not repeat the first.
      temperature: attempt === 1 ? 0.4 : 0.7,
      signal: options.signal,
    });
    completionTokens += reply.completionTokens ?? 0;
    const parsed =
      reply.finishReason === 'length'
        ? { ok: false as const, problem: 'the reply was cut at max_tokens' }
        : parsePlanReply(reply.content, dates.length);
    if (parsed.ok) {
      return assemblePlan(request, dates, parsed.reply, {
        model: llm.model,
        ms: Math.round(performance.now() - started),
        attempts: attempt,
        completionTokens,
      });
    }
    problem = parsed.problem;
  }
  throw new LlmError(
    'invalid_reply',
    `The model's plan was not valid twice (${problem}); no plan was made up`,
  );
}
