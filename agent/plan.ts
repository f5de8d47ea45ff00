/**
 * A day-by-day plan for one stay. StaySaga gives the facts (where, which dates, how many, the
 * listing, the traveler's wishes); the model only writes text: the morning, afternoon and
 * evening of one day per call, each day about one of the traveler's interests, then a few
 * restaurants, a packing list and tips. Asked for the whole stay at once, a small model writes
 * one day and copies it to every date. Each reply is under a JSON schema, validated with zod and
 * tried again (up to PLAN_ATTEMPTS) told what was wrong; a part that still fails is an error,
 * never a stand-in plan. The dates and the destination come from StaySaga.
 */
import { z } from 'zod';
import { nightsBetween } from '../domain/stay.js';
import type { PlanRequest, TripPlan } from './contract.js';
import { LlmError, type LlmClient, type LlmMessage } from './llm-client.js';

/** Longest stay the planner writes a plan for: a longer one would take minutes on a small model. */
export const PLAN_MAX_DAYS = 10;
/** Tries per part of a plan (one day, or the lists): a day takes seconds, so a third is cheap. */
export const PLAN_ATTEMPTS = 3;

const ACTIVITY_CHARS = 80;
/** A part of a day is a phrase, not a word: "History" or "Food" is no plan. */
const ACTIVITY_MIN_CHARS = 15;
const NOTE_CHARS = 80;
/** Tokens a day's reply may take (three phrases and their JSON), and the lists'. */
export const DAY_MAX_TOKENS = 140;
export const EXTRAS_MAX_TOKENS = 320;

/** The dates a plan covers: one per night, from check-in to the day before check-out. */
export function planDates(checkIn: string, checkOut: string): string[] {
  return nightsBetween({
    checkIn: new Date(`${checkIn}T00:00:00.000Z`),
    checkOut: new Date(`${checkOut}T00:00:00.000Z`),
  });
}

// --- What the model writes: JSON schemas (a grammar in llama.cpp) ---

const text = (max: number, min = 3) => ({ type: 'string', minLength: min, maxLength: max });
const activityText = text(ACTIVITY_CHARS, ACTIVITY_MIN_CHARS);
const strictObject = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});
const list = (items: unknown, minItems: number, maxItems: number) => ({
  type: 'array',
  minItems,
  maxItems,
  items,
});

/** One day: what to do in the morning, the afternoon and the evening. */
export const DAY_REPLY_JSON_SCHEMA = strictObject({
  morning: activityText,
  afternoon: activityText,
  evening: activityText,
});

/** The lists of a plan: restaurants, packing and tips. */
export const EXTRAS_REPLY_JSON_SCHEMA = strictObject({
  restaurants: list(strictObject({ name: text(50), note: text(NOTE_CHARS) }), 1, 3),
  packing: list(text(30), 2, 6),
  tips: list(text(NOTE_CHARS), 1, 3),
});

// --- What is accepted: the same shapes in zod, with what a schema cannot say ---

const replyText = (max: number, min = 3) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((t) => /\p{L}/u.test(t), 'must say something');

/** Case, spaces and punctuation aside: how two texts are compared for repeats. */
export const sameText = (t: string) =>
  t
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** The first of each text, repeats dropped (a small model often lists one thing three times). */
function firstOfEach<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = sameText(key(item));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * One day's reply, checked again (a server may ignore the schema, e.g. a proxy or an old
 * Ollama): three different activities, none of them one an earlier day already has.
 */
export function dayReplySchema(earlier: readonly string[]) {
  const planned = new Set(earlier.map(sameText));
  const activity = replyText(ACTIVITY_CHARS, ACTIVITY_MIN_CHARS).refine(
    (t) => !planned.has(sameText(t)),
    'an earlier day already has this activity',
  );
  return z
    .strictObject({ morning: activity, afternoon: activity, evening: activity })
    .refine(
      (d) => new Set([d.morning, d.afternoon, d.evening].map(sameText)).size === 3,
      'morning, afternoon and evening must be three different activities',
    );
}
export type DayReply = z.infer<ReturnType<typeof dayReplySchema>>;

/**
 * The lists' reply. Repeated restaurants, packing items and tips are dropped, and so is a
 * "restaurant" that is the stay itself (the small model's favourite).
 */
export function extrasReplySchema(stayName: string) {
  return z.strictObject({
    restaurants: z
      .array(z.strictObject({ name: replyText(50), note: replyText(NOTE_CHARS) }))
      .min(1)
      .max(3)
      .transform((rs) =>
        firstOfEach(rs, (r) => r.name).filter((r) => sameText(r.name) !== sameText(stayName)),
      )
      .refine((rs) => rs.length > 0, 'must name a restaurant other than the stay'),
    packing: z
      .array(replyText(30))
      .min(2)
      .max(6)
      .transform((items) => firstOfEach(items, (item) => item)),
    tips: z
      .array(replyText(NOTE_CHARS))
      .min(1)
      .max(3)
      .transform((tips) => firstOfEach(tips, (tip) => tip)),
  });
}
export type ExtrasReply = z.infer<ReturnType<typeof extrasReplySchema>>;

type Parsed<T> = { ok: true; reply: T } | { ok: false; problem: string };

/** Why `content` is not a valid reply under `schema`, or the reply. */
export function parseReply<T>(content: string, schema: z.ZodType<T>): Parsed<T> {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { ok: false, problem: 'the reply is not JSON (cut short?)' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, reply: parsed.data };
  const [issue] = parsed.error.issues;
  return { ok: false, problem: `${issue?.path.join('.') || 'reply'}: ${issue?.message}` };
}

// --- The prompts: short, since a small model on two cores reads about 100 tokens a second ---

/** What each day is about, so the days differ even before the model reads the earlier ones. */
export function dayFocus(index: number, preferences: PlanRequest['preferences']): string {
  const interests = preferences.interests?.length ? preferences.interests : ['sights', 'food'];
  const focus = interests[index % interests.length] as string;
  return index === 0 ? `${focus}; it is the arrival day` : focus;
}

/** The facts of the stay: the same opening for every call, so the server reuses its cache. */
function stayFacts(request: PlanRequest, dates: string[]): LlmMessage[] {
  const { booking, property, preferences } = request;
  const where = `${property.city}, ${property.country}`;
  const wishes = [
    preferences.budget && `budget: ${preferences.budget}`,
    preferences.interests?.length && `interests: ${preferences.interests.join(', ')}`,
    preferences.diet && `diet: ${preferences.diet}`,
    preferences.mobility && `mobility: ${preferences.mobility}`,
  ].filter(Boolean);
  const description = property.description.replace(/\s+/g, ' ').slice(0, 300);
  const guests = `${booking.guests} guest${booking.guests === 1 ? '' : 's'}`;
  const lines = [
    `A trip of ${dates.length} day${dates.length === 1 ? '' : 's'} in ${where} for ${guests}, ${dates[0]} to ${dates.at(-1)}.`,
    // Not the listing's name: the small model wrote it back as every morning and restaurant.
    `They stay in a ${property.type} in ${property.city}.`,
    description && `About it: ${description}`,
    property.amenities.length > 0 && `Amenities: ${property.amenities.slice(0, 12).join(', ')}.`,
    wishes.length > 0 && `Traveler: ${wishes.join('; ')}.`,
  ].filter((line): line is string => typeof line === 'string' && line.length > 0);
  return [
    {
      role: 'system',
      content: `You are a local travel guide for ${where}. Reply with compact JSON only. Name real places in ${property.city}; never places in other cities.`,
    },
    { role: 'user', content: lines.join('\n') },
  ];
}

/**
 * The call for day `index`. It does not quote the earlier days: a small model copies whatever
 * text it is shown, a "do not repeat" list included. Repeats are caught by the reply's check.
 */
export function dayMessages(request: PlanRequest, dates: string[], index: number): LlmMessage[] {
  const [system, facts] = stayFacts(request, dates) as [LlmMessage, LlmMessage];
  const city = request.property.city;
  const lines = [
    facts.content,
    `Now day ${index + 1} of ${dates.length} (${dates[index]}), about: ${dayFocus(index, request.preferences)}.`,
    `Write a morning, an afternoon and an evening activity: each a phrase of 4 to 10 words naming a different real place in ${city}.`,
  ].filter((line): line is string => typeof line === 'string');
  return [system, { role: 'user', content: lines.join('\n') }];
}

/** The call for the lists. */
export function extrasMessages(request: PlanRequest, dates: string[]): LlmMessage[] {
  const [system, facts] = stayFacts(request, dates) as [LlmMessage, LlmMessage];
  const city = request.property.city;
  const ask = `Now list up to 3 restaurants in ${city} (not the stay) with a short note each, 3 to 6 things to pack for this trip, and 2 local tips.`;
  return [system, { role: 'user', content: `${facts.content}\n${ask}` }];
}

/** A second try: the same request, told what was wrong with the first reply. */
export function retryMessages(messages: LlmMessage[], problem: string): LlmMessage[] {
  return [
    ...messages,
    {
      role: 'user',
      content: `Your last reply was refused (${problem}). Write it again and follow every rule.`,
    },
  ];
}

// --- Asking, and assembling ---

interface Ask<T> {
  name: string;
  messages: LlmMessage[];
  jsonSchema: Record<string, unknown>;
  schema: z.ZodType<T>;
  maxTokens: number;
  signal?: AbortSignal;
}

interface Answer<T> {
  reply: T;
  attempts: number;
  completionTokens: number;
}

/**
 * One part of the plan, from `llm`: at most PLAN_ATTEMPTS tries; another comes only when a
 * reply did not parse or validate. A timeout or an unreachable model is not retried (it would
 * only double the wait); it is the caller's error to answer.
 */
async function askUntilValid<T>(llm: LlmClient, ask: Ask<T>): Promise<Answer<T>> {
  let problem = '';
  let completionTokens = 0;
  for (let attempt = 1; attempt <= PLAN_ATTEMPTS; attempt++) {
    const reply = await llm.complete({
      messages: attempt === 1 ? ask.messages : retryMessages(ask.messages, problem),
      schema: { name: ask.name, schema: ask.jsonSchema },
      maxTokens: ask.maxTokens,
      // A second try samples a little differently, so it does not repeat the first.
      temperature: attempt === 1 ? 0.4 : 0.7 + 0.1 * (attempt - 2),
      signal: ask.signal,
    });
    completionTokens += reply.completionTokens ?? 0;
    const parsed: Parsed<T> =
      reply.finishReason === 'length'
        ? { ok: false, problem: 'the reply was cut at max_tokens' }
        : parseReply(reply.content, ask.schema);
    if (parsed.ok) return { reply: parsed.reply, attempts: attempt, completionTokens };
    problem = parsed.problem;
  }
  throw new LlmError(
    'invalid_reply',
    `The model's ${ask.name.replace(/_/g, ' ')} was not valid in ${PLAN_ATTEMPTS} tries (${problem}); no plan was made up`,
  );
}

/** The plan: StaySaga's facts, the model's text for each day, in the stay's order. */
export function assemblePlan(
  request: PlanRequest,
  dates: string[],
  days: DayReply[],
  extras: ExtrasReply,
  meta: TripPlan['generatedBy'],
): TripPlan {
  if (days.length !== dates.length) {
    throw new Error(`a plan of ${days.length} days for a stay of ${dates.length}`);
  }
  const { booking, property } = request;
  return {
    bookingId: booking.id,
    destination: { city: property.city, country: property.country },
    propertyName: property.name,
    checkIn: booking.checkIn,
    checkOut: booking.checkOut,
    guests: booking.guests,
    days: dates.map((date, i) => ({ date, ...(days[i] as DayReply) })),
    restaurants: extras.restaurants,
    packingList: extras.packing,
    tips: extras.tips,
    generatedBy: meta,
  };
}

/**
 * A plan for the stay of `request`: one call per day, in order, each checked against the
 * earlier days' activities, then one for the lists. `generatedBy.attempts` is the most tries any part took.
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
  const answers: Answer<unknown>[] = [];
  const days: DayReply[] = [];
  for (let index = 0; index < dates.length; index++) {
    const earlier = days.flatMap((d) => [d.morning, d.afternoon, d.evening]);
    const day = await askUntilValid(llm, {
      name: 'trip_plan_day',
      messages: dayMessages(request, dates, index),
      jsonSchema: DAY_REPLY_JSON_SCHEMA,
      schema: dayReplySchema(earlier),
      maxTokens: Math.min(options.maxTokensCap, DAY_MAX_TOKENS),
      signal: options.signal,
    });
    answers.push(day);
    days.push(day.reply);
  }
  const extras = await askUntilValid(llm, {
    name: 'trip_plan_lists',
    messages: extrasMessages(request, dates),
    jsonSchema: EXTRAS_REPLY_JSON_SCHEMA,
    schema: extrasReplySchema(request.property.name),
    maxTokens: Math.min(options.maxTokensCap, EXTRAS_MAX_TOKENS),
    signal: options.signal,
  });
  answers.push(extras);
  return assemblePlan(request, dates, days, extras.reply, {
    model: llm.model,
    ms: Math.round(performance.now() - started),
    attempts: Math.max(...answers.map((a) => a.attempts)),
    completionTokens: answers.reduce((sum, a) => sum + a.completionTokens, 0),
  });
}
