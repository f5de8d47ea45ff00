/**
 * What the API and the agent service say to each other (and what the API answers its clients),
 * as zod schemas both sides parse with. The API sends the facts, read from StaySaga under its
 * own ownership checks; the agent never reads the database. Nothing here does I/O.
 */
import { z } from 'zod';
import { BOOKING_STATUSES } from '../domain/booking-status.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const id = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-character hex id');
const line = (max: number) => z.string().trim().max(max);

/** What a traveler may tell the planner about themselves. */
export const TripPreferences = z.strictObject({
  budget: z.enum(['low', 'medium', 'high']).optional(),
  interests: z.array(line(40).min(1)).max(8).optional(),
  diet: line(100).optional(),
  mobility: line(100).optional(),
});
export type TripPreferences = z.infer<typeof TripPreferences>;

/** One booking as the agent may see it: the caller's own, chosen by the API. */
export const BookingFacts = z.strictObject({
  id,
  propertyId: id,
  propertyName: z.string(),
  city: z.string(),
  country: z.string(),
  checkIn: day,
  checkOut: day,
  nights: z.number().int().positive(),
  guests: z.number().int().positive(),
  status: z.enum(BOOKING_STATUSES),
  totalPrice: z.number(),
  currency: z.string(),
  /** When a PENDING booking expires if its owner does not decide. */
  ownerDecisionDeadline: z.string(),
});
export type BookingFacts = z.infer<typeof BookingFacts>;

/** A listing as the agent may see it (listings are public). */
export const PropertyFacts = z.strictObject({
  id,
  name: z.string(),
  type: z.string(),
  city: z.string(),
  country: z.string(),
  description: z.string().max(1000),
  amenities: z.array(z.string()).max(50),
  maxGuests: z.number().int(),
  bedrooms: z.number().int(),
  bathrooms: z.number(),
  pricePerNight: z.number(),
  cleaningFee: z.number(),
  serviceFee: z.number(),
});
export type PropertyFacts = z.infer<typeof PropertyFacts>;

/** API → agent: plan this stay. Every fact is StaySaga's. */
export const PlanRequest = z.strictObject({
  booking: BookingFacts,
  property: PropertyFacts,
  preferences: TripPreferences,
});
export type PlanRequest = z.infer<typeof PlanRequest>;

const activity = z.string().min(1).max(200);

/** One day of a plan: its date is StaySaga's, its text the model's. */
export const PlanDay = z.strictObject({
  date: day,
  morning: activity,
  afternoon: activity,
  evening: activity,
});

/** A trip plan as the API answers it. */
export const TripPlan = z.strictObject({
  bookingId: id,
  destination: z.strictObject({ city: z.string(), country: z.string() }),
  propertyName: z.string(),
  checkIn: day,
  checkOut: day,
  guests: z.number().int().positive(),
  /** One per night of the stay, checkIn .. checkOut-1, in order. */
  days: z.array(PlanDay),
  restaurants: z.array(z.strictObject({ name: activity, note: activity })),
  packingList: z.array(activity),
  tips: z.array(activity),
  /** The model's work: which model, how long, how many attempts. */
  generatedBy: z.strictObject({
    model: z.string(),
    ms: z.number().int().nonnegative(),
    // The most tries any part of the plan took (agent/plan.ts PLAN_ATTEMPTS).
    attempts: z.number().int().min(1).max(3),
    completionTokens: z.number().int().nonnegative().nullable(),
  }),
});
export type TripPlan = z.infer<typeof TripPlan>;

export const ChatMessage = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: z.string().trim().min(1).max(2000),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** API → agent: answer this conversation; the tools see only `context`. */
export const ChatRequest = z.strictObject({
  messages: z
    .array(ChatMessage)
    .min(1)
    .max(20)
    .refine((list) => list.at(-1)?.role === 'user', 'the last message must be the user’s'),
  context: z.strictObject({
    today: day,
    travelerName: z.string(),
    /** The caller's own bookings, newest first (at most a page of them). */
    bookings: z.array(BookingFacts).max(50),
    /** The listings of those bookings. */
    properties: z.array(PropertyFacts).max(50),
    /** The booking the conversation is about, one of `bookings`. */
    focusBookingId: id.optional(),
  }),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

/** A policy section an answer rests on. */
export const Citation = z.strictObject({
  /** `cancellation.md#when-a-traveler-may-cancel` */
  id: z.string(),
  document: z.string(),
  title: z.string(),
});
export type Citation = z.infer<typeof Citation>;

/** The events of a chat's stream (`text/event-stream`), by name. */
export const ChatEvents = {
  /** A tool the model chose ran. */
  step: z.strictObject({
    step: z.number().int().positive(),
    tool: z.string(),
    args: z.record(z.string(), z.string()),
    summary: z.string(),
  }),
  /** Part of the answer as the model writes it (provisional: `answer` has the final text). */
  token: z.strictObject({ text: z.string() }),
  /** The provisional text so far is void (the reply was retried): clear it. */
  retry: z.strictObject({ reason: z.string() }),
  answer: z.strictObject({ text: z.string(), citations: z.array(Citation) }),
  done: z.strictObject({ steps: z.number().int(), ms: z.number().int(), model: z.string() }),
  error: z.strictObject({ code: z.string(), message: z.string() }),
} as const;
export type ChatEventName = keyof typeof ChatEvents;
export type ChatEvent = {
  [K in ChatEventName]: { event: K; data: z.infer<(typeof ChatEvents)[K]> };
}[ChatEventName];

/** The codes of the agent's failures, as both the agent and the API answer them. */
export const PLANNER_FAILURES = {
  planner_unavailable: 503,
  planner_busy: 503,
  planner_timeout: 504,
  planner_invalid_reply: 502,
} as const;
export type PlannerFailure = keyof typeof PLANNER_FAILURES;
