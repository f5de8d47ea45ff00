/**
 * One step of a chat: the model either calls a tool or answers, as one JSON object under a
 * schema built for this step. The schema lists only what may be chosen now: the tools not yet
 * used in this turn, the ids of the caller's own bookings and listings (so an id the model makes
 * up cannot even be written), and as citations only the policy sections it was shown. On the
 * last step only an answer is possible. The tools read the facts the API sent, nothing else.
 */
import { z } from 'zod';
import type { BookingFacts, ChatRequest, PropertyFacts } from './contract.js';
import type { PolicyLibrary, PolicySection } from './policies.js';

export const TOOLS = ['my_bookings', 'booking_details', 'property_details', 'policies'] as const;
export type ToolName = (typeof TOOLS)[number];

export type ToolStep =
  | { action: 'tool'; tool: 'my_bookings'; args: Record<string, never> }
  | { action: 'tool'; tool: 'booking_details'; args: { bookingId: string } }
  | { action: 'tool'; tool: 'property_details'; args: { propertyId: string } }
  | { action: 'tool'; tool: 'policies'; args: { query: string } }
  | { action: 'answer'; text: string; citations?: string[] };

/** What may be chosen at one step. */
export interface StepChoices {
  tools: readonly ToolName[];
  bookingIds: readonly string[];
  propertyIds: readonly string[];
  /** Section ids the model was shown (by the policies tool) in this turn. */
  citable: readonly string[];
}

export const ANSWER_CHARS = 700;

const object = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});

/** The JSON schema of one step (llama.cpp turns it into a grammar). */
export function stepJsonSchema(choices: StepChoices): Record<string, unknown> {
  const variants: Record<string, unknown>[] = [];
  const tool = (name: ToolName, args: Record<string, unknown>) =>
    object({ action: { const: 'tool' }, tool: { const: name }, args: object(args) });
  for (const name of choices.tools) {
    if (name === 'my_bookings') variants.push(tool(name, {}));
    if (name === 'booking_details' && choices.bookingIds.length > 0) {
      variants.push(tool(name, { bookingId: { enum: choices.bookingIds } }));
    }
    if (name === 'property_details' && choices.propertyIds.length > 0) {
      variants.push(tool(name, { propertyId: { enum: choices.propertyIds } }));
    }
    if (name === 'policies') {
      variants.push(tool(name, { query: { type: 'string', minLength: 2, maxLength: 80 } }));
    }
  }
  const answer: Record<string, unknown> = {
    action: { const: 'answer' },
    text: { type: 'string', minLength: 1, maxLength: ANSWER_CHARS },
  };
  if (choices.citable.length > 0) {
    answer.citations = {
      type: 'array',
      minItems: 1,
      maxItems: 2,
      items: { enum: choices.citable },
    };
  }
  variants.push(object(answer));
  return variants.length === 1 ? (variants[0] as Record<string, unknown>) : { anyOf: variants };
}

/** The zod twin of `stepJsonSchema`: a server that ignored the grammar is caught here. */
export function stepSchema(choices: StepChoices): z.ZodType<ToolStep> {
  const oneOf = (values: readonly string[]) => z.string().refine((v) => values.includes(v));
  const allowed = (name: ToolName) => choices.tools.includes(name);
  const steps: z.ZodType<ToolStep>[] = [
    z.strictObject({
      action: z.literal('answer'),
      text: z.string().trim().min(1).max(ANSWER_CHARS),
      citations: z.array(oneOf(choices.citable)).max(3).optional(),
    }),
  ];
  if (allowed('my_bookings')) {
    steps.push(
      z.strictObject({
        action: z.literal('tool'),
        tool: z.literal('my_bookings'),
        args: z.strictObject({}),
      }),
    );
  }
  if (allowed('booking_details')) {
    steps.push(
      z.strictObject({
        action: z.literal('tool'),
        tool: z.literal('booking_details'),
        args: z.strictObject({ bookingId: oneOf(choices.bookingIds) }),
      }),
    );
  }
  if (allowed('property_details')) {
    steps.push(
      z.strictObject({
        action: z.literal('tool'),
        tool: z.literal('property_details'),
        args: z.strictObject({ propertyId: oneOf(choices.propertyIds) }),
      }),
    );
  }
  if (allowed('policies')) {
    steps.push(
      z.strictObject({
        action: z.literal('tool'),
        tool: z.literal('policies'),
        args: z.strictObject({ query: z.string().trim().min(2).max(80) }),
      }),
    );
  }
  return z.union(steps as [z.ZodType<ToolStep>, z.ZodType<ToolStep>]);
}

/** The step the model wrote, or why it is not one. */
export function parseStep(
  content: string,
  choices: StepChoices,
): { ok: true; step: ToolStep } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { ok: false, problem: 'the step is not JSON (cut short?)' };
  }
  const parsed = stepSchema(choices).safeParse(json);
  return parsed.success
    ? { ok: true, step: parsed.data }
    : { ok: false, problem: 'the step is not one of the allowed actions' };
}

// ---- The tools: over the facts the API sent --------------------------------------------------

const money = (amount: number, currency: string) => `${amount} ${currency}`;

function bookingLine(b: BookingFacts): string {
  return (
    `${b.id}: ${b.propertyName} in ${b.city}, ${b.country}, ${b.checkIn} to ${b.checkOut} ` +
    `(${b.nights} night${b.nights === 1 ? '' : 's'}), ${b.guests} guest${b.guests === 1 ? '' : 's'}, ${b.status}`
  );
}

function bookingDetails(b: BookingFacts): string {
  const deadline =
    b.status === 'PENDING' ? ` The owner must decide by ${b.ownerDecisionDeadline}.` : '';
  return (
    `Booking ${bookingLine(b)}. Total price ${money(b.totalPrice, b.currency)}. ` +
    `Property id ${b.propertyId}.${deadline}`
  );
}

function propertyDetails(p: PropertyFacts, currency: string): string {
  return (
    `${p.name} (${p.type}) in ${p.city}, ${p.country}: ${p.bedrooms} bedrooms, ` +
    `${p.bathrooms} bathrooms, up to ${p.maxGuests} guests. ` +
    `${money(p.pricePerNight, currency)} a night, cleaning ${money(p.cleaningFee, currency)}, ` +
    `service ${money(p.serviceFee, currency)}. Amenities: ${p.amenities.join(', ') || 'none listed'}. ` +
    p.description.replace(/\s+/g, ' ').slice(0, 400)
  );
}

export interface ToolResult {
  /** What the model reads next. */
  text: string;
  /** One line for the traveler (the `step` event). */
  summary: string;
  /** Policy sections shown, citable from now on. */
  sections: PolicySection[];
}

/** Runs one tool over the conversation's context. */
export function runTool(
  step: Extract<ToolStep, { action: 'tool' }>,
  context: ChatRequest['context'],
  policies: PolicyLibrary,
): ToolResult {
  const currency = context.bookings[0]?.currency ?? '';
  switch (step.tool) {
    case 'my_bookings': {
      const lines = context.bookings.map(bookingLine);
      return {
        text: lines.length > 0 ? lines.join('\n') : 'The traveler has no bookings.',
        summary: `Looked up your bookings (${lines.length})`,
        sections: [],
      };
    }
    case 'booking_details': {
      const booking = context.bookings.find((b) => b.id === step.args.bookingId);
      return {
        text: booking ? bookingDetails(booking) : 'No such booking among the traveler’s bookings.',
        summary: booking
          ? `Looked up your booking at ${booking.propertyName}`
          : 'Looked up a booking',
        sections: [],
      };
    }
    case 'property_details': {
      const property = context.properties.find((p) => p.id === step.args.propertyId);
      return {
        text: property ? propertyDetails(property, currency) : 'No such listing.',
        summary: property ? `Looked up ${property.name}` : 'Looked up a listing',
        sections: [],
      };
    }
    case 'policies': {
      const hits = policies.search(step.args.query, 3);
      return {
        text:
          hits.length > 0
            ? hits.map((h) => `[${h.section.id}] ${h.section.title}: ${h.section.text}`).join('\n')
            : 'No policy section matches.',
        summary: `Searched the policies for “${step.args.query}”`,
        sections: hits.map((h) => h.section),
      };
    }
  }
}
