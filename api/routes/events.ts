/**
 * `GET /api/events`: the signed-in user's live events as Server-Sent Events (owners and
 * travelers alike), fed by this process's LiveEventHub (services/live-events.ts), which reads
 * the live-events topic: whichever API replica holds the stream sees every event of the user.
 *
 * On the wire, in this order:
 * - `event: resync` when the id the client came back with is older than what can be replayed
 *   (it should reload what it shows);
 * - the events it missed after `Last-Event-ID` (or `?lastEventId=`, for clients that cannot set
 *   headers; the header wins, as a browser reconnecting sends the newer one there);
 * - `event: ready`, once: the stream is live from here;
 * - every new event (`booking-status`, `notification`), each with its id;
 * - a comment line every LIVE_EVENTS_HEARTBEAT with an `id:` that stands for everything given so
 *   far, so a client that heard nothing for a while still reconnects from here.
 * The stream ends after LIVE_EVENTS_MAX_STREAM (the browser reconnects at once, with its last
 * id), or when the client reads too slowly to keep up (likewise).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import {
  parseEventId,
  type LiveEvent,
  type LiveEventHub,
  type LogPosition,
} from '../../services/live-events.js';
import { resolveSession } from '../../services/accounts.js';
import { ApiRouter, errorResponse, signedIn } from '../openapi.js';

export interface EventStreamOptions {
  heartbeatMs: number;
  maxStreamMs: number;
  /** Events waiting for a slow client before its stream is ended (default 1000). */
  maxQueued?: number;
}

/** How long a browser waits before it reconnects, sent with `ready`. */
const RECONNECT_AFTER_MS = 2_000;

const eventId = z
  .string()
  .max(40)
  .openapi({ description: 'The `id` of the last event received (`<partition>-<offset>`)' });

const eventsQuery = z.strictObject({ lastEventId: eventId.optional() });
const eventsHeaders = z.object({ 'last-event-id': eventId.optional() });

const STREAM_EXAMPLE = [
  'event: booking-status',
  'data: {"bookingId":"665f1c2e9b1e8a3d4c5b6a79","propertyId":"665f1c2e9b1e8a3d4c5b6a70","propertyName":"Luxury Beach Villa","status":"ACCEPTED","previousStatus":"PENDING","at":"2026-12-01T10:30:00.000Z","role":"traveler"}',
  'id: 2-1041',
  '',
  'event: notification',
  'data: {"notification":{"id":"665f1c2e9b1e8a3d4c5b6a80","kind":"booking-accepted","title":"Booking accepted","body":"Your stay at Luxury Beach Villa is now ACCEPTED.","bookingId":"665f1c2e9b1e8a3d4c5b6a79","createdAt":"2026-12-01T10:30:00.020Z","read":false}}',
  'id: 2-1042',
  '',
  ': heartbeat',
  'id: 2-1042',
  '',
].join('\n');

export function eventRoutes(hub: LiveEventHub, options: EventStreamOptions) {
  return new ApiRouter().openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'My live events: booking status changes and new notifications (Server-Sent Events)',
      description:
        'A `text/event-stream` that stays open. Events: `booking-status` (`{bookingId, propertyId, ' +
        'propertyName, status, previousStatus, at, role}`; owners hear of new PENDING requests, ' +
        'both parties of every later status), `notification` (`{notification: {id, kind, title, ' +
        'body, bookingId, createdAt, read}}`), `ready` (the stream is live), `resync` (what was ' +
        'missed since Last-Event-ID can no longer be replayed: reload). Each event has an `id`; ' +
        'a client reconnecting with it (`Last-Event-ID` header, or `lastEventId` query parameter) ' +
        'gets what it missed from the last hour, on any API replica. Comment lines keep idle ' +
        'streams open.',
      tags: ['events'],
      ...signedIn(),
      request: { query: eventsQuery, headers: eventsHeaders },
      responses: {
        200: {
          description: 'The event stream',
          content: {
            'text/event-stream': {
              schema: z.string().openapi({ example: STREAM_EXAMPLE }),
            },
          },
        },
        400: errorResponse('Invalid query or Last-Event-ID'),
        401: errorResponse('Not signed in'),
      },
    }),
    (c) => {
      const user = c.get('user');
      const token = c.get('sessionToken');
      // Checked again at each heartbeat: a log-out or a password reset ends the stream too.
      const signedInStill = () => sessionStillLive(token);
      const after =
        parseEventId(c.req.valid('header')['last-event-id']) ??
        parseEventId(c.req.valid('query').lastEventId);
      // Proxies that buffer responses (nginx) must pass this one through as it comes.
      c.header('X-Accel-Buffering', 'no');
      return streamSSE(c, (stream) =>
        streamEvents(stream, hub, user.id, after, { ...options, signedInStill }),
      );
    },
  );
}

/** Whether the session is still live; a database that does not answer is given the benefit. */
async function sessionStillLive(token: string): Promise<boolean> {
  try {
    return (await resolveSession(token)) !== null;
  } catch {
    return true;
  }
}

async function streamEvents(
  stream: SSEStreamingApi,
  hub: LiveEventHub,
  userId: string,
  after: LogPosition | null,
  options: EventStreamOptions & { signedInStill: () => Promise<boolean> },
): Promise<void> {
  const maxQueued = options.maxQueued ?? 1000;
  const queue: LiveEvent[] = [];
  let overflowed = false;
  let ended = false;
  let heartbeatDue = false;
  let wake: (() => void) | undefined;
  const nudge = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  // Subscribed first: whatever arrives while the replay is written waits in the queue.
  const end = () => {
    ended = true;
    nudge();
  };
  const subscription = hub.subscribe(
    userId,
    after,
    (event) => {
      if (queue.length >= maxQueued) overflowed = true;
      else queue.push(event);
      nudge();
    },
    end,
  );
  stream.onAbort(end);
  const heartbeat = setInterval(() => {
    heartbeatDue = true;
    nudge();
  }, options.heartbeatMs);
  const lifetime = setTimeout(end, options.maxStreamMs);
  try {
    if (subscription.incomplete) {
      const reason = 'Some events since Last-Event-ID can no longer be replayed; reload';
      await stream.writeSSE({ event: 'resync', data: JSON.stringify({ reason }) });
    }
    for (const event of subscription.replay) await writeEvent(stream, event);
    let readyDue = true;
    while (!ended && !stream.aborted) {
      while (queue.length > 0 && !stream.aborted) await writeEvent(stream, queue.shift()!);
      // Events were lost to a client that reads too slowly: end here, before any id could claim
      // them; it reconnects with the last id it got and is replayed the rest.
      if (overflowed) break;
      // The queue is empty: an id for everything given so far is now true.
      if (readyDue) {
        readyDue = false;
        const data = JSON.stringify({ replayed: subscription.replay.length });
        const id = subscription.position() ?? undefined;
        await stream.writeSSE({ event: 'ready', data, retry: RECONNECT_AFTER_MS, id });
      } else if (heartbeatDue) {
        heartbeatDue = false;
        if (!(await options.signedInStill())) break;
        const id = subscription.position();
        await stream.write(id ? `: heartbeat\nid: ${id}\n\n` : ': heartbeat\n\n');
      }
      if (queue.length === 0 && !heartbeatDue && !ended) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  } finally {
    clearInterval(heartbeat);
    clearTimeout(lifetime);
    subscription.close();
  }
}

function writeEvent(stream: SSEStreamingApi, event: LiveEvent): Promise<void> {
  return stream.writeSSE({ event: event.event, id: event.id, data: JSON.stringify(event.data) });
}
