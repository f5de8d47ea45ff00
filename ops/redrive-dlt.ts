/**
 * `redrive-dlt`: sends dead letters back to the topic they came from once their cause is fixed
 * (the saga now exists, the handler bug is deployed...). A dedicated consumer group remembers how
 * far each DLT partition was re-driven, and its offset is committed only after the re-publish
 * was acknowledged, so every dead letter is re-driven once, even across interrupted runs. The
 * original key and value go out unchanged; `x-redriven-from` says which dead letter they were.
 * A message that fails again simply lands on the DLT again, with that header still on it.
 */
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { z } from 'zod';
import {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_REASONS,
  deadLetterTopic,
  REDRIVEN_FROM_HEADER,
  type DeadLetterReason,
} from '../kafka/dead-letters.js';
import type { Logger } from '../config/logger.js';
import { objectIdHex } from '../domain/messages.js';
import type { BookingEventPublisher } from '../kafka/publisher.js';
import type { BookingTopics } from '../kafka/topics.js';
import { bookingTopicName, type BookingTopicName } from './arguments.js';
import {
  deleteThrowawayGroup,
  fetchWatermarks,
  headerText,
  readPartitionRanges,
  type PartitionRange,
  type PartitionWatermarks,
} from './topic-range-reader.js';

/** Headers that describe the dead-lettering itself; the re-driven message does not carry them. */
const DEAD_LETTERING = new Set<string>(Object.values(DEAD_LETTER_HEADERS));

export interface RedriveOptions {
  topic: BookingTopicName;
  /** Only dead letters with this `x-dead-letter-reason`. */
  reason?: DeadLetterReason;
  /** Only dead letters keyed by this booking. */
  bookingId?: string;
  dryRun: boolean;
}

export const redriveArguments = z
  .object({
    positionals: z.tuple([bookingTopicName], { error: 'expects exactly one topic' }),
    flags: z.strictObject({
      reason: z.enum(DEAD_LETTER_REASONS).optional(),
      booking: objectIdHex.optional(),
      'dry-run': z.literal(true).optional(),
    }),
  })
  .transform(({ positionals, flags }): RedriveOptions => ({
    topic: positionals[0],
    reason: flags.reason,
    bookingId: flags.booking,
    dryRun: flags['dry-run'] === true,
  }));

export const REDRIVE_USAGE = `redrive-dlt <booking-requests|booking-updates> [--reason R] [--booking ID] [--dry-run]
  Re-publishes each dead letter of <topic>.DLT not yet re-driven (group staysaga-dlt-redrive-<topic>)
  to its original topic with its original key and value and a header x-redriven-from, up to where
  the DLT ends now. --reason (${DEAD_LETTER_REASONS.join(', ')}) and --booking pick only some; the
  others are passed over for good by this group, so re-drive them first if you still want them.
  --dry-run lists what would be re-driven and commits nothing.`;

export interface RedriveDeps {
  kafka: Kafka;
  publisher: BookingEventPublisher;
  topics: BookingTopics;
  log: Logger;
}

export interface RedrivenDeadLetter {
  /** `<dlt>:<partition>:<offset>`, also sent as the `x-redriven-from` header. */
  from: string;
  key: string | null;
  reason: string | undefined;
}

export interface RedriveSummary {
  deadLetterTopic: string;
  groupId: string;
  dryRun: boolean;
  read: number;
  redriven: number;
  skippedByFilter: number;
  /** Records on the DLT without a usable `x-original-topic` for this topic: never re-published. */
  foreign: number;
  deadLetters: RedrivenDeadLetter[];
}

export function redriveGroupId(topic: string): string {
  return `staysaga-dlt-redrive-${topic}`;
}

export type RedriveDecision = 'redrive' | 'filtered-out' | 'foreign';

/** Whether one dead letter is re-driven. Pure, so the filter rules are unit-tested. */
export function redriveDecision(
  dead: { originalTopic?: string; reason?: string; key: string | null },
  expectedTopic: string,
  filter: Pick<RedriveOptions, 'reason' | 'bookingId'>,
): RedriveDecision {
  // A DLT only ever holds its own topic's messages; anything else is not ours to publish.
  if (dead.originalTopic !== expectedTopic) return 'foreign';
  if (filter.reason !== undefined && dead.reason !== filter.reason) return 'filtered-out';
  if (filter.bookingId !== undefined && dead.key !== filter.bookingId) return 'filtered-out';
  return 'redrive';
}

/** The original message's own headers, plus where it is being re-driven from. */
export function redrivenHeaders(message: KafkaMessage, from: string): IHeaders {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!DEAD_LETTERING.has(name) && value !== undefined) headers[name] = value;
  }
  headers[REDRIVEN_FROM_HEADER] = from;
  return headers;
}

/** Each DLT partition resumes at the group's committed offset, or its oldest retained record. */
export function redriveRanges(
  topic: string,
  marks: PartitionWatermarks[],
  committed: Map<number, bigint>,
): PartitionRange[] {
  return marks.map((m) => {
    const resume = committed.get(m.partition);
    const start = resume === undefined || resume < m.low ? m.low : resume;
    return { topic, partition: m.partition, start, end: m.high };
  });
}

async function committedOffsets(
  deps: RedriveDeps,
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = (offsets?.partitions ?? []).filter((p) => BigInt(p.offset) >= 0n);
    return new Map(committed.map((p) => [p.partition, BigInt(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

export async function redriveDeadLetters(
  deps: RedriveDeps,
  options: RedriveOptions,
): Promise<RedriveSummary> {
  const topic = options.topic === 'booking-updates' ? deps.topics.updates : deps.topics.requests;
  const dlt = deadLetterTopic(topic);
  const groupId = redriveGroupId(topic);
  // A dry run must not move the real group: it reads from the same place in a throwaway group.
  const readerGroupId = options.dryRun ? `${groupId}-dry-run-${randomUUID()}` : groupId;
  const summary: RedriveSummary = {
    deadLetterTopic: dlt,
    groupId,
    dryRun: options.dryRun,
    read: 0,
    redriven: 0,
    skippedByFilter: 0,
    foreign: 0,
    deadLetters: [],
  };
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    const marks = await fetchWatermarks(admin, dlt);
    const ranges = redriveRanges(dlt, marks, await committedOffsets(deps, groupId, dlt));
    await readPartitionRanges({
      kafka: deps.kafka,
      groupId: readerGroupId,
      ranges,
      commit: !options.dryRun,
      handle: async (message, range) => {
        summary.read++;
        const dead = {
          originalTopic: headerText(message, DEAD_LETTER_HEADERS.originalTopic),
          reason: headerText(message, DEAD_LETTER_HEADERS.reason),
          key: message.key?.toString('utf8') ?? null,
        };
        const decision = redriveDecision(dead, topic, options);
        if (decision === 'foreign') summary.foreign++;
        if (decision === 'filtered-out') summary.skippedByFilter++;
        if (decision !== 'redrive') return 'continue';
        const from = `${dlt}:${range.partition}:${message.offset}`;
        if (!options.dryRun) {
          await deps.publisher.sendRaw(
            topic,
            message.key,
            message.value,
            redrivenHeaders(message, from),
          );
          deps.log.info('re-driven', { from, key: dead.key, reason: dead.reason });
        }
        summary.redriven++;
        summary.deadLetters.push({ from, key: dead.key, reason: dead.reason });
        return 'continue';
      },
    });
    if (options.dryRun) await deleteThrowawayGroup(admin, readerGroupId);
    return summary;
  } finally {
    await admin.disconnect();
  }
}
