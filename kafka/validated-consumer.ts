/**
 * The consumption discipline every StaySaga consumer follows:
 * - parse and validate each message against its contract;
 * - hand valid ones to the handler, retrying transient failures with backoff, never skipping;
 * - send what can never succeed (malformed, unknown booking, ...) to the topic's dead-letter
 *   topic with headers that say why;
 * - commit the offset only after the message was handled or dead-lettered, so a crash at any
 *   point re-delivers it (handlers are idempotent by eventId).
 */
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { z } from 'zod';
import {
  DEAD_LETTER_HEADERS as H,
  deadLetterTopic,
  type DeadLetterReason,
} from './dead-letters.js';
import type { Logger } from '../config/logger.js';
import type { KafkaPosition } from '../domain/decisions.js';
import { MESSAGE_SCHEMA_VERSION, unsupportedVersion } from '../domain/messages.js';
import type { BookingEventPublisher } from './publisher.js';

export type HandleResult =
  { outcome: 'done' } | { outcome: 'dead-letter'; reason: DeadLetterReason; detail: string };

/** Where the message being handled was read. */
export type MessageContext = KafkaPosition;

export interface ValidatedConsumerOptions<T> {
  kafka: Kafka;
  groupId: string;
  topic: string;
  /** The received form of the contract: its output is what `handle` gets. */
  schema: z.ZodType<T, unknown>;
  publisher: BookingEventPublisher;
  log: Logger;
  handle(message: T, context: MessageContext): Promise<HandleResult>;
  backoff?: { initialMs: number; maxMs: number };
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: DeadLetterReason; detail: string };

export function parseMessage<T>(value: Buffer | null, schema: z.ZodType<T, unknown>): Parsed<T> {
  let json: unknown;
  try {
    json = JSON.parse(value?.toString('utf8') ?? '');
  } catch (error) {
    return { ok: false, reason: 'malformed-json', detail: (error as Error).message };
  }
  const version = unsupportedVersion(json);
  if (version !== null) {
    const detail = `version ${version}; this consumer reads version ${MESSAGE_SCHEMA_VERSION}`;
    return { ok: false, reason: 'unsupported-version', detail };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const detail = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, reason: 'schema-violation', detail: detail.join('; ') };
}

/**
 * Fault injection for the crash tests only: with STAYSAGA_FAULT_KILL_BEFORE_COMMIT=<topic> the
 * process dies the hard way after handling a message and before committing its offset, the
 * worst moment for an at-least-once consumer. Never set outside those tests.
 */
function dieHereIfAskedTo(topic: string): void {
  if (process.env.STAYSAGA_FAULT_KILL_BEFORE_COMMIT === topic) process.kill(process.pid, 'SIGKILL');
}

/**
 * Keeps this member alive in its group while one slow step runs (a signal to an unreachable
 * Temporal can block for ~20 s inside the client's own retries), so a slow message never costs
 * a rebalance. A failed heartbeat (a rebalance under way) is left for the next commit to notice.
 */
async function whileHeartbeating<R>(
  step: () => Promise<R>,
  heartbeat: () => Promise<void>,
): Promise<R> {
  const timer = setInterval(() => {
    heartbeat().catch(() => undefined);
  }, HEARTBEAT_INTERVAL_MS);
  try {
    return await step();
  } finally {
    clearInterval(timer);
  }
}

const HEARTBEAT_INTERVAL_MS = 3_000;
// Short enough that a crashed consumer's partitions move to a live one within seconds.
const SESSION_TIMEOUT_MS = 10_000;

export async function startValidatedConsumer<T>(
  options: ValidatedConsumerOptions<T>,
): Promise<RunningConsumer> {
  const { kafka, groupId, topic, log } = options;
  const { initialMs, maxMs } = options.backoff ?? { initialMs: 250, maxMs: 10_000 };
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: SESSION_TIMEOUT_MS,
    heartbeatInterval: HEARTBEAT_INTERVAL_MS,
  });
  let stopping = false;

  /** Retries a step until it succeeds; only shutting down (or a rebalance) interrupts it. */
  async function untilDone<R>(step: () => Promise<R>, heartbeat: () => Promise<void>): Promise<R> {
    for (let delay = initialMs; ; delay = Math.min(delay * 2, maxMs)) {
      try {
        return await whileHeartbeating(step, heartbeat);
      } catch (error) {
        if (stopping) throw error;
        log.warn('transient failure, retrying', { topic, error, retryInMs: delay });
        await new Promise((resolve) => setTimeout(resolve, delay));
        await heartbeat();
      }
    }
  }

  async function deadLetter(message: KafkaMessage, ctx: MessageContext, verdict: HandleResult) {
    if (verdict.outcome !== 'dead-letter') return;
    const headers: IHeaders = {
      ...message.headers,
      [H.reason]: verdict.reason,
      [H.detail]: verdict.detail.slice(0, 1000),
      [H.originalTopic]: ctx.topic,
      [H.originalPartition]: String(ctx.partition),
      [H.originalOffset]: ctx.offset,
      [H.consumerGroup]: groupId,
    };
    await options.publisher.sendRaw(deadLetterTopic(topic), message.key, message.value, headers);
    log.warn('dead-lettered', { ...ctx, reason: verdict.reason, detail: verdict.detail });
  }

  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 3,
    eachMessage: async (payload) => {
      const { partition, message } = payload;
      const heartbeat = () => payload.heartbeat();
      const ctx: MessageContext = { topic, partition, offset: message.offset };
      const parsed = parseMessage(message.value, options.schema);
      const verdict: HandleResult = parsed.ok
        ? await untilDone(() => options.handle(parsed.value, ctx), heartbeat)
        : { outcome: 'dead-letter', reason: parsed.reason, detail: parsed.detail };
      await untilDone(() => deadLetter(message, ctx, verdict), heartbeat);
      dieHereIfAskedTo(topic);
      const next = (BigInt(message.offset) + 1n).toString();
      await consumer.commitOffsets([{ topic, partition, offset: next }]);
    },
  });
  log.info('consuming', { topic, groupId });
  return {
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}
