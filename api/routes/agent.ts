/**
 * The trip planner, for travelers: a day-by-day plan of one of my stays, and a chat about my
 * trips and the platform's policies. The API checks whose booking it is and sends the agent
 * service the facts (services/trip-agent.ts); the agent never reads the database.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import {
  chatRequestFor,
  openChat,
  planRequestFor,
  requestPlan,
  type AgentEndpoint,
} from '../../services/trip-agent.js';
import { ApiRouter, errorResponse, jsonBody, jsonResponse, signedIn } from '../openapi.js';
import { TripPlanAnswer, chatRequestBody, planRequestBody } from '../schemas.js';

const PLANNER_ERRORS = {
  403: errorResponse('Not a traveler account'),
  404: errorResponse('No such booking, or not mine'),
  409: errorResponse('The booking is not PENDING or ACCEPTED (`booking_not_plannable`)'),
  503: errorResponse(
    'The planner or its model is down, or busy (`planner_unavailable`, `planner_busy`, with ' +
      'Retry-After), or the database is (`service_unavailable`)',
  ),
  504: errorResponse('The model did not answer in time (`planner_timeout`)'),
};

const STREAM_EXAMPLE = [
  'event: step',
  'data: {"step":1,"tool":"policies","args":{"query":"cancel accepted booking"},"summary":"Searched the policies for “cancel accepted booking”"}',
  '',
  'event: token',
  'data: {"text":"Yes, you can cancel"}',
  '',
  'event: answer',
  'data: {"text":"Yes, you can cancel an accepted booking until check-in.","citations":[{"id":"cancellation.md#when-a-traveler-may-cancel","document":"cancellation.md","title":"When a traveler may cancel"}]}',
  '',
  'event: done',
  'data: {"steps":2,"ms":9120,"model":"qwen2.5-coder-0.5b-instruct-q4_k_m"}',
  '',
].join('\n');

export function agentRoutes(agent: AgentEndpoint) {
  return new ApiRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/plan',
        summary: 'A day-by-day plan of my stay (PENDING or ACCEPTED), written by the local model',
        description:
          'The destination, the dates (one day per night: checkIn to the day before checkOut), the ' +
          'party size and the listing come from StaySaga; the model writes each morning, ' +
          'afternoon and evening, restaurants, a packing list and tips under a JSON schema. ' +
          'Takes seconds to a minute. No model, no plan: 503 or 504, never a made-up plan.',
        tags: ['agent'],
        ...signedIn('traveler'),
        request: { body: jsonBody(planRequestBody) },
        responses: {
          200: jsonResponse(TripPlanAnswer, 'The plan'),
          ...PLANNER_ERRORS,
          422: errorResponse('The stay is longer than the planner plans (`stay_too_long_to_plan`)'),
          502: errorResponse('The model twice gave no valid plan (`planner_invalid_reply`)'),
        },
      }),
      async (c) => {
        const { bookingId, preferences } = c.req.valid('json');
        const request = await planRequestFor(
          c.get('user'),
          bookingId,
          preferences ?? {},
          agent.currency,
        );
        const plan = await requestPlan(agent, request, c.req.raw.signal);
        return c.json({ plan }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/chat',
        summary: 'Ask the trip assistant about my trips and the policies (Server-Sent Events)',
        description:
          'A `text/event-stream`: `step` for each tool the model used (`{step, tool, args, ' +
          'summary}`; tools: my_bookings, booking_details, property_details, policies), `token` ' +
          'pieces of the answer as it is written (provisional), `retry` (clear the provisional ' +
          'text), `answer` (`{text, citations:[{id, document, title}]}`, final), `done` (`{steps, ' +
          'ms, model}`), or `error` (`{code, message}`) if the model fails mid-way. Failures ' +
          'before the stream starts are JSON errors with their status.',
        tags: ['agent'],
        ...signedIn('traveler'),
        request: { body: jsonBody(chatRequestBody) },
        responses: {
          200: {
            description: 'The answer, as it is written',
            content: {
              'text/event-stream': { schema: z.string().openapi({ example: STREAM_EXAMPLE }) },
            },
          },
          ...PLANNER_ERRORS,
          502: errorResponse('The model twice gave no valid step (`planner_invalid_reply`)'),
        },
      }),
      async (c) => {
        const { bookingId, messages } = c.req.valid('json');
        const request = await chatRequestFor(c.get('user'), messages, bookingId, agent.currency);
        const gone = new AbortController();
        const events = await openChat(agent, request, gone.signal);
        c.header('X-Accel-Buffering', 'no');
        return streamSSE(c, async (stream) => {
          stream.onAbort(() => gone.abort());
          for await (const { event, data } of events) {
            if (stream.aborted) break;
            await stream.writeSSE({ event, data: JSON.stringify(data) });
          }
        });
      },
    );
}
