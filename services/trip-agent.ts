/**
 * The trip planner, from the API's side. Ownership is checked here, never by the agent: the
 * booking must be the caller's own (another traveler's is "not found") and PENDING or ACCEPTED.
 * The facts the agent may use (the booking, its listing, the caller's other bookings) are read
 * here and sent with the request, so the agent needs no database and cannot see anyone else's
 * data. Every failure of the agent or its model becomes a planner error (503, 504 or 502).
 */
import { travelerBookingPage, type BookingDoc } from '../db/bookings.js';
import { findPropertiesByIds, findPropertyById, type PropertyDoc } from '../db/properties.js';
import { findUserById } from '../db/users.js';
import { LIVE_STATUSES } from '../domain/booking-status.js';
import { DomainError, notFound } from '../domain/errors.js';
import { nightOf } from '../domain/stay.js';
import {
  ChatEvents,
  PLANNER_FAILURES,
  TripPlan,
  type BookingFacts,
  type ChatEvent,
  type ChatMessage,
  type ChatRequest,
  type PlanRequest,
  type PropertyFacts,
  type TripPreferences,
} from '../agent/contract.js';
import { PLAN_MAX_DAYS, planDates } from '../agent/plan.js';
import { readServerSentEvents } from '../agent/sse.js';
import type { AuthUser } from './accounts.js';
import { bookingOfParty } from './booking-decisions.js';

/** Where the agent is and the credential it wants; null key: the API was not given one. */
export interface AgentEndpoint {
  url: string;
  apiKey: string | null;
  timeoutMs: number;
  currency: string;
}

/** Bookings a chat's tools can see: the caller's most recent ones. */
const CHAT_BOOKINGS = 20;

function bookingFacts(
  booking: BookingDoc & { _id: unknown },
  property: PropertyDoc | null,
  currency: string,
): BookingFacts {
  return {
    id: String(booking._id),
    propertyId: booking.propertyId.toString(),
    propertyName: booking.propertyName,
    city: property?.city ?? '',
    country: property?.country ?? '',
    checkIn: nightOf(booking.checkIn),
    checkOut: nightOf(booking.checkOut),
    nights: booking.nights,
    guests: booking.guests,
    status: booking.status,
    totalPrice: booking.totalPrice,
    currency,
    ownerDecisionDeadline: booking.ownerDecisionDeadline.toISOString(),
  };
}

function propertyFacts(p: PropertyDoc): PropertyFacts {
  return {
    id: p._id.toString(),
    name: p.name,
    type: p.type,
    city: p.city,
    country: p.country,
    description: (p.description ?? '').slice(0, 1000),
    amenities: (p.amenities ?? []).slice(0, 50),
    maxGuests: p.maxGuests,
    bedrooms: p.bedrooms,
    bathrooms: p.bathrooms,
    pricePerNight: p.pricePerNight,
    cleaningFee: p.cleaningFee,
    serviceFee: p.serviceFee,
  };
}

/** The caller's booking, when it may be planned: 404 when not theirs, 409 when not live. */
async function plannableBooking(traveler: AuthUser, bookingId: string) {
  const booking = await bookingOfParty(bookingId, traveler, ['travelerId']);
  if (!LIVE_STATUSES.includes(booking.status)) {
    throw new DomainError(
      'booking_not_plannable',
      `Only a PENDING or ACCEPTED booking can be planned; this one is ${booking.status}`,
      { status: booking.status },
    );
  }
  return booking;
}

/** The grounded request for a plan of the caller's booking. */
export async function planRequestFor(
  traveler: AuthUser,
  bookingId: string,
  preferences: TripPreferences,
  currency: string,
): Promise<PlanRequest> {
  const booking = await plannableBooking(traveler, bookingId);
  const property = await findPropertyById(booking.propertyId.toString());
  if (!property) throw notFound('Property');
  const facts = bookingFacts(booking, property, currency);
  const days = planDates(facts.checkIn, facts.checkOut).length;
  if (days > PLAN_MAX_DAYS) {
    throw new DomainError(
      'stay_too_long_to_plan',
      `The planner plans stays of up to ${PLAN_MAX_DAYS} nights; this one has ${days}`,
      { maxNights: PLAN_MAX_DAYS },
    );
  }
  return { booking: facts, property: propertyFacts(property), preferences };
}

/** The grounded request for a chat: the caller's recent bookings and their listings. */
export async function chatRequestFor(
  traveler: AuthUser,
  messages: ChatMessage[],
  bookingId: string | undefined,
  currency: string,
  now = new Date(),
): Promise<ChatRequest> {
  const focus = bookingId ? await plannableBooking(traveler, bookingId) : null;
  const page = await travelerBookingPage(
    traveler.id,
    { sort: 'newest' },
    { page: 1, limit: CHAT_BOOKINGS },
  );
  const bookings = page.items as (BookingDoc & { _id: unknown })[];
  if (focus && !bookings.some((b) => String(b._id) === String(focus._id))) bookings.unshift(focus);
  const propertyIds = [...new Set(bookings.map((b) => b.propertyId.toString()))];
  const [properties, user] = await Promise.all([
    findPropertiesByIds(propertyIds),
    findUserById(traveler.id),
  ]);
  const byId = new Map(properties.map((p) => [p._id.toString(), p]));
  return {
    messages,
    context: {
      today: nightOf(now),
      travelerName: user?.name ?? 'the traveler',
      bookings: bookings.map((b) =>
        bookingFacts(b, byId.get(b.propertyId.toString()) ?? null, currency),
      ),
      properties: properties.map(propertyFacts),
      focusBookingId: focus ? String(focus._id) : undefined,
    },
  };
}

// ---- Calling the agent ----------------------------------------------------------------------

type PlannerCode = keyof typeof PLANNER_FAILURES;

const plannerError = (code: PlannerCode, message: string) =>
  new DomainError(
    code,
    message,
    code === 'planner_unavailable' || code === 'planner_busy'
      ? { retryAfterSeconds: 30 }
      : undefined,
  );

const UNREACHABLE = 'The trip planner is not reachable right now; try again later';

/** The agent's answer when it is not a success: its own planner error, else "unavailable". */
async function refusal(response: Response): Promise<DomainError> {
  const body = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string };
  } | null;
  const code = body?.error?.code;
  if (code && code in PLANNER_FAILURES) {
    return plannerError(code as PlannerCode, body?.error?.message ?? UNREACHABLE);
  }
  if (code === 'stay_too_long_to_plan') {
    return new DomainError('stay_too_long_to_plan', body?.error?.message ?? 'Stay too long');
  }
  // 401 (the keys differ), 400 (the two sides disagree on the contract), anything else: ours.
  return plannerError('planner_unavailable', `${UNREACHABLE} (agent answered ${response.status})`);
}

async function post(agent: AgentEndpoint, path: string, body: unknown, signal?: AbortSignal) {
  if (!agent.apiKey) {
    throw plannerError('planner_unavailable', 'The trip planner is not configured (AGENT_API_KEY)');
  }
  const timeout = AbortSignal.timeout(agent.timeoutMs);
  try {
    return {
      timeout,
      response: await fetch(`${agent.url.replace(/\/+$/, '')}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${agent.apiKey}` },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      }),
    };
  } catch {
    throw timeout.aborted
      ? plannerError('planner_timeout', 'The trip planner did not answer in time; try again later')
      : plannerError('planner_unavailable', UNREACHABLE);
  }
}

/**
 * A plan from the agent, checked again here: its shape, and its days exactly the stay's dates,
 * its destination the listing's. Anything else is not passed on.
 */
export async function requestPlan(
  agent: AgentEndpoint,
  request: PlanRequest,
  signal?: AbortSignal,
): Promise<TripPlan> {
  const { response, timeout } = await post(agent, '/v1/plan', request, signal);
  if (!response.ok) throw await refusal(response);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw timeout.aborted
      ? plannerError('planner_timeout', 'The trip planner did not answer in time; try again later')
      : plannerError('planner_unavailable', UNREACHABLE);
  }
  const parsed = TripPlan.safeParse(body);
  const dates = planDates(request.booking.checkIn, request.booking.checkOut);
  const grounded =
    parsed.success &&
    parsed.data.bookingId === request.booking.id &&
    parsed.data.destination.city === request.property.city &&
    parsed.data.destination.country === request.property.country &&
    parsed.data.days.map((d) => d.date).join() === dates.join();
  if (!parsed.success || !grounded) {
    throw plannerError('planner_invalid_reply', 'The trip planner’s answer did not match the stay');
  }
  return parsed.data;
}

/**
 * Opens the agent's chat stream: throws the planner error when it refuses before streaming,
 * else yields its events (checked against their schemas), ending with `error` when the agent
 * breaks off or the time runs out: the stream is never cut without a word.
 */
export async function openChat(
  agent: AgentEndpoint,
  request: ChatRequest,
  signal?: AbortSignal,
): Promise<AsyncGenerator<ChatEvent>> {
  const { response, timeout } = await post(agent, '/v1/chat', request, signal);
  if (!response.ok || !response.body) throw await refusal(response);
  const body = response.body;
  return (async function* () {
    let finished = false;
    try {
      for await (const { event, data } of readServerSentEvents(body)) {
        const schema = ChatEvents[event as keyof typeof ChatEvents];
        if (!schema) continue;
        const parsed = schema.safeParse(JSON.parse(data));
        if (!parsed.success) continue;
        yield { event, data: parsed.data } as ChatEvent;
        if (event === 'done' || event === 'error') {
          finished = true;
          return;
        }
      }
    } catch {
      if (signal?.aborted) return; // the browser went away: nobody to tell
    }
    if (!finished) {
      yield timeout.aborted
        ? {
            event: 'error',
            data: { code: 'planner_timeout', message: 'The trip planner did not finish in time' },
          }
        : { event: 'error', data: { code: 'planner_unavailable', message: UNREACHABLE } };
    }
  })();
}
