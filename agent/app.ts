/**
 * The agent service's HTTP app. Only the API may call it: every `/v1` route wants
 * `Authorization: Bearer <AGENT_API_KEY>` (compared in constant time). It reads no database:
 * each request brings the facts, already checked by the API against the caller (agent/contract.ts).
 *
 * - `POST /v1/plan` → 200 `TripPlan` | 400 | 401 | 422 | 502/503/504 `{error:{code,message}}`.
 * - `POST /v1/chat` → 200 `text/event-stream` (step, token, retry, answer, done; error after the
 *   stream began), or a JSON error when the model fails before the first event.
 * - `GET /health` → 200 (no credential: for probes).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../config/logger.js';
import { runChat } from './chat.js';
import {
  ChatRequest,
  PLANNER_FAILURES,
  PlanRequest,
  type ChatEvent,
  type PlannerFailure,
} from './contract.js';
import { LlmError, type LlmClient } from './llm-client.js';
import { PLAN_MAX_DAYS, planDates, planTrip } from './plan.js';
import type { PolicyLibrary } from './policies.js';
import { encodeServerSentEvent } from './sse.js';

export interface AgentAppDeps {
  llm: LlmClient;
  policies: PolicyLibrary;
  apiKey: string;
  maxTokensCap: number;
  maxInFlight: number;
  log: Logger;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether `header` carries `key`, compared in constant time (digests have one length). */
export function bearerMatches(header: string | undefined, key: string): boolean {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(token), digest(key)) && token.length > 0;
}

const failureOf = (error: LlmError): PlannerFailure =>
  error.kind === 'timeout'
    ? 'planner_timeout'
    : error.kind === 'invalid_reply'
      ? 'planner_invalid_reply'
      : 'planner_unavailable';

const MESSAGES: Record<PlannerFailure, string> = {
  planner_unavailable: 'The trip planner’s model is not reachable right now; try again later',
  planner_busy: 'The trip planner is busy with other requests; try again in a minute',
  planner_timeout: 'The trip planner’s model did not answer in time; try again later',
  planner_invalid_reply: 'The trip planner’s model gave no usable answer; try again',
};

function failure(c: Context, code: PlannerFailure, detail?: string) {
  if (code === 'planner_busy' || code === 'planner_unavailable') c.header('Retry-After', '30');
  const message = detail ? `${MESSAGES[code]} (${detail})` : MESSAGES[code];
  return c.json({ error: { code, message } }, PLANNER_FAILURES[code] as ContentfulStatusCode);
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

export function createAgentApp(deps: AgentAppDeps) {
  const { llm, policies, log } = deps;
  let inFlight = 0;
  const app = new Hono();

  app.get('/health', (c) => c.json({ status: 'ok', model: llm.model }));
  app.use('/v1/*', bodyLimit({ maxSize: 256 * 1024 }));
  app.use('/v1/*', async (c, next) => {
    if (!bearerMatches(c.req.header('authorization'), deps.apiKey)) {
      return c.json({ error: { code: 'unauthenticated', message: 'Only the API may call' } }, 401);
    }
    await next();
  });
  /** A place among the requests worked on at once, or null when they are all taken. */
  const admit = (): (() => void) | null => {
    if (inFlight >= deps.maxInFlight) return null;
    inFlight++;
    let released = false;
    return () => {
      if (!released) inFlight--;
      released = true;
    };
  };

  app.post('/v1/plan', async (c) => {
    const parsed = PlanRequest.safeParse(await jsonBody(c));
    if (!parsed.success) return badRequest(c, parsed.error.issues);
    const request = parsed.data;
    const days = planDates(request.booking.checkIn, request.booking.checkOut).length;
    if (days < 1 || days > PLAN_MAX_DAYS) {
      const message = `A plan covers 1 to ${PLAN_MAX_DAYS} days; this stay has ${days}`;
      return c.json({ error: { code: 'stay_too_long_to_plan', message } }, 422);
    }
    const release = admit();
    if (!release) return failure(c, 'planner_busy');
    try {
      const plan = await planTrip(llm, request, {
        maxTokensCap: deps.maxTokensCap,
        signal: c.req.raw.signal,
      });
      log.info('plan', {
        days,
        ms: plan.generatedBy.ms,
        attempts: plan.generatedBy.attempts,
        tokens: plan.generatedBy.completionTokens,
      });
      return c.json(plan, 200);
    } catch (error) {
      if (!(error instanceof LlmError)) throw error;
      log.warn('plan failed', { kind: error.kind, error: error.message });
      return failure(c, failureOf(error), error.message);
    } finally {
      release();
    }
  });

  app.post('/v1/chat', async (c) => {
    const parsed = ChatRequest.safeParse(await jsonBody(c));
    if (!parsed.success) return badRequest(c, parsed.error.issues);
    const release = admit();
    if (!release) return failure(c, 'planner_busy');
    // Ends the turn when the API (its client) goes away mid-stream.
    const abandon = new AbortController();
    const started = new Deferred<void>();
    const queue: ChatEvent[] = [];
    let wake: (() => void) | null = null;
    let ended = false;
    const emit = (event: ChatEvent) => {
      queue.push(event);
      started.resolve();
      wake?.();
    };
    const turn = runChat(llm, policies, parsed.data, emit, {
      maxTokensCap: deps.maxTokensCap,
      signal: AbortSignal.any([c.req.raw.signal, abandon.signal]),
    }).finally(() => {
      ended = true;
      wake?.();
    });
    // The first event, or the failure before it: a model that is down is a JSON 503, not a stream.
    const first = await Promise.race([started.promise, turn.then(() => undefined)]).then(
      () => null,
      (error: unknown) => error,
    );
    if (first !== null && queue.length === 0) {
      release();
      if (!(first instanceof LlmError))
        throw first instanceof Error ? first : new Error('chat failed');
      log.warn('chat failed', { kind: first.kind, error: first.message });
      return failure(c, failureOf(first), first.message);
    }
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        while (queue.length === 0 && !ended) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
        }
        const next = queue.shift();
        if (next) {
          controller.enqueue(encoder.encode(encodeServerSentEvent(next.event, next.data)));
          return;
        }
        const error = await turn.then(
          () => null,
          (e: unknown) => e,
        );
        if (error) {
          const code = error instanceof LlmError ? failureOf(error) : 'planner_unavailable';
          if (!(error instanceof LlmError)) log.error('chat broke', { error });
          const message = error instanceof LlmError ? error.message : MESSAGES[code];
          controller.enqueue(encoder.encode(encodeServerSentEvent('error', { code, message })));
        }
        controller.close();
        release();
      },
      cancel() {
        abandon.abort();
        release();
      },
    });
    return new Response(body, {
      status: 200,
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      },
    });
  });

  app.notFound((c) => c.json({ error: { code: 'not_found', message: 'No such route' } }, 404));
  app.onError((error, c) => {
    log.error('agent error', { error, path: c.req.path });
    return failure(c, 'planner_unavailable');
  });
  return app;
}

function badRequest(c: Context, issues: { path: PropertyKey[]; message: string }[]) {
  const details = issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  return c.json({ error: { code: 'validation_failed', message: 'Invalid request', details } }, 400);
}

class Deferred<T> {
  resolve!: (value: T) => void;
  readonly promise = new Promise<T>((resolve) => (this.resolve = resolve));
}
