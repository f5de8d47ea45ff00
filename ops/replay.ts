/**
 * `replay`: feeds a stretch of a booking topic through the live consumer's own handler again,
 * e.g. after restoring a database or fixing a bug in the handler. Safe by construction: the
 * saga de-duplicates decisions by eventId and owner notifications are unique per causeKey, so
 * replaying what was already handled changes nothing. Invalid messages are only counted: they
 * were dead-lettered the first time and re-driving them is `redrive-dlt`'s job.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { z } from 'zod';
import type { Logger } from '../config/logger.js';
import { receivedBookingCreated, receivedBookingStatusUpdated } from '../domain/messages.js';
import type { BookingTopics } from '../kafka/topics.js';
import {
  parseMessage,
  type HandleResult,
  type MessageContext,
} from '../kafka/validated-consumer.js';
import type { NotificationChannel } from '../notifications/channel.js';
import { forwardDecisionToSaga, notifyOwnerOfRequest } from '../kafka/booking-handlers.js';
import {
  bookingTopicName,
  instantArgument,
  offsetArgument,
  partitionArgument,
  type BookingTopicName,
} from './arguments.js';
import {
  deleteThrowawayGroup,
  fetchWatermarks,
  readPartitionRanges,
  type PartitionRange,
  type PartitionWatermarks,
} from './topic-range-reader.js';

export type ReplayStart =
  { kind: 'time'; at: Date } | { kind: 'offset'; offset: bigint; partition?: number };

export interface ReplayOptions {
  topic: BookingTopicName;
  from: ReplayStart;
  /** Messages stamped later than this end their partition's replay. */
  until?: Date;
}

export const replayArguments = z
  .object({
    positionals: z.tuple([bookingTopicName], { error: 'expects exactly one topic' }),
    flags: z.strictObject({
      'from-time': instantArgument.optional(),
      'from-offset': offsetArgument.optional(),
      partition: partitionArgument.optional(),
      'until-time': instantArgument.optional(),
    }),
  })
  .superRefine(({ flags }, ctx) => {
    const starts = [flags['from-time'], flags['from-offset']].filter((f) => f !== undefined);
    if (starts.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of --from-time, --from-offset' });
    }
    if (flags.partition !== undefined && flags['from-offset'] === undefined) {
      ctx.addIssue({ code: 'custom', message: '--partition goes with --from-offset' });
    }
  })
  .transform(({ positionals, flags }): ReplayOptions => {
    const fromTime = flags['from-time'];
    const from: ReplayStart = fromTime
      ? { kind: 'time', at: fromTime }
      : { kind: 'offset', offset: flags['from-offset'] as bigint, partition: flags.partition };
    return { topic: positionals[0], from, until: flags['until-time'] };
  });

export const REPLAY_USAGE = `replay <booking-requests|booking-updates> (--from-time ISO | --from-offset N [--partition P]) [--until-time ISO]
  Feeds the topic again, from that point up to where it ends now, through the live consumer's
  handler (bridge or owner notifier), in a throwaway consumer group. Idempotent: decisions are
  de-duplicated by eventId, notifications by cause. Invalid messages are counted, not re-dead-lettered.`;

export interface ReplayDeps {
  kafka: Kafka;
  temporal: Client;
  topics: BookingTopics;
  log: Logger;
  /** Where replayed booking requests notify owners: the live notifier's channel. */
  notifications: NotificationChannel;
}

export interface PartitionReplaySummary {
  partition: number;
  from: string;
  highWatermark: string;
  read: number;
  delivered: number;
  invalid: number;
  /** Valid, but the handler would dead-letter it now (e.g. the booking's saga has finished). */
  undeliverable: number;
}

export interface ReplaySummary {
  topic: string;
  groupId: string;
  partitions: PartitionReplaySummary[];
  totals: Omit<PartitionReplaySummary, 'partition' | 'from' | 'highWatermark'>;
  /** Why valid messages were undeliverable, with how many of each. */
  undeliverableReasons: Record<string, number>;
}

type ReplayHandler = (value: Buffer | null, context: MessageContext) => Promise<Verdict>;
type Verdict = { kind: 'invalid' } | { kind: 'handled'; result: HandleResult };

/** The live consumer's schema and handler for each topic: replay never has its own path. */
function liveHandlerFor(topic: BookingTopicName, deps: ReplayDeps): ReplayHandler {
  const log = deps.log.child('replay');
  if (topic === 'booking-updates') {
    const handle = forwardDecisionToSaga(deps.temporal, log);
    return async (value, context) => {
      const parsed = parseMessage(value, receivedBookingStatusUpdated);
      if (!parsed.ok) return { kind: 'invalid' };
      return { kind: 'handled', result: await handle(parsed.value, context) };
    };
  }
  const handle = notifyOwnerOfRequest(deps.notifications);
  return async (value) => {
    const parsed = parseMessage(value, receivedBookingCreated);
    if (!parsed.ok) return { kind: 'invalid' };
    return { kind: 'handled', result: await handle(parsed.value) };
  };
}

/**
 * Where each partition's replay starts and ends. Pure, so the clamping rules are unit-tested:
 * never before the oldest retained offset, never at or past the high watermark taken at start.
 */
export function replayRanges(
  topic: string,
  marks: PartitionWatermarks[],
  starts: Map<number, bigint>,
): PartitionRange[] {
  return marks
    .filter((m) => starts.has(m.partition))
    .map((m) => {
      const wanted = starts.get(m.partition) as bigint;
      const start = wanted < m.low ? m.low : wanted > m.high ? m.high : wanted;
      return { topic, partition: m.partition, start, end: m.high };
    });
}

async function startOffsets(
  deps: ReplayDeps,
  topic: string,
  marks: PartitionWatermarks[],
  from: ReplayStart,
): Promise<Map<number, bigint>> {
  if (from.kind === 'offset') {
    const partitions = marks.map((m) => m.partition);
    if (from.partition !== undefined && !partitions.includes(from.partition)) {
      throw new Error(
        `${topic} has no partition ${from.partition} (it has ${partitions.join(', ')})`,
      );
    }
    const chosen = from.partition === undefined ? partitions : [from.partition];
    return new Map(chosen.map((p) => [p, from.offset]));
  }
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    // The first offset stamped at or after the time; the high watermark when there is none.
    const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, from.at.getTime());
    return new Map(byTime.map((o) => [o.partition, BigInt(o.offset)]));
  } finally {
    await admin.disconnect();
  }
}

function emptyPartitionSummary(range: PartitionRange): PartitionReplaySummary {
  return {
    partition: range.partition,
    from: range.start.toString(),
    highWatermark: range.end.toString(),
    read: 0,
    delivered: 0,
    invalid: 0,
    undeliverable: 0,
  };
}

function isAfter(message: KafkaMessage, until: Date | undefined): boolean {
  return until !== undefined && Number(message.timestamp) > until.getTime();
}

export async function replayTopic(
  deps: ReplayDeps,
  options: ReplayOptions,
): Promise<ReplaySummary> {
  const topic = options.topic === 'booking-updates' ? deps.topics.updates : deps.topics.requests;
  const groupId = `staysaga-ops-replay-${topic}-${randomUUID()}`;
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    const marks = await fetchWatermarks(admin, topic);
    const ranges = replayRanges(topic, marks, await startOffsets(deps, topic, marks, options.from));
    const perPartition = new Map(ranges.map((r) => [r.partition, emptyPartitionSummary(r)]));
    const undeliverableReasons: Record<string, number> = {};
    const handle = liveHandlerFor(options.topic, deps);

    await readPartitionRanges({
      kafka: deps.kafka,
      groupId,
      ranges,
      handle: async (message, range) => {
        // Messages of one partition are stamped in (nearly) produce order: the first one past
        // --until-time ends that partition.
        if (isAfter(message, options.until)) return 'stop';
        const counts = perPartition.get(range.partition) as PartitionReplaySummary;
        counts.read++;
        const context = { topic, partition: range.partition, offset: message.offset };
        const verdict = await handle(message.value, context);
        if (verdict.kind === 'invalid') counts.invalid++;
        else if (verdict.result.outcome === 'done') counts.delivered++;
        else {
          counts.undeliverable++;
          const reason = verdict.result.reason;
          undeliverableReasons[reason] = (undeliverableReasons[reason] ?? 0) + 1;
        }
        return 'continue';
      },
    });
    await deleteThrowawayGroup(admin, groupId);
    const partitions = [...perPartition.values()];
    return { topic, groupId, partitions, totals: sumCounts(partitions), undeliverableReasons };
  } finally {
    await admin.disconnect();
  }
}

function sumCounts(partitions: PartitionReplaySummary[]): ReplaySummary['totals'] {
  const totals = { read: 0, delivered: 0, invalid: 0, undeliverable: 0 };
  for (const p of partitions) {
    totals.read += p.read;
    totals.delivered += p.delivered;
    totals.invalid += p.invalid;
    totals.undeliverable += p.undeliverable;
  }
  return totals;
}
