/** The Kafka side of an audit: every message keyed by the booking, on both topics and their DLTs. */
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { wasIssuedByApi } from '../../db/issued-decisions.js';
import { receivedBookingCreated, receivedBookingStatusUpdated } from '../../domain/messages.js';
import {
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  REDRIVEN_FROM_HEADER,
} from '../../kafka/dead-letters.js';
import type { BookingTopics } from '../../kafka/topics.js';
import {
  deleteThrowawayGroup,
  fetchWatermarks,
  headerText,
  readPartitionRanges,
  wholeTopicRanges,
} from '../topic-range-reader.js';
import { asRecord, type AuditDeps, type KafkaEvidence } from './evidence.js';

/** Reads a message as its consumer does (a seed-format one gets the eventId the consumer derived). */
function messageFields(json: unknown): Record<string, unknown> {
  const body = asRecord(json);
  const schema =
    body.type === 'booking-status-updated'
      ? receivedBookingStatusUpdated
      : body.type === 'booking-created'
        ? receivedBookingCreated
        : undefined;
  const read = schema?.safeParse(json);
  return read?.success ? read.data : body;
}

function kafkaEvidence(topic: string, partition: number, message: KafkaMessage): KafkaEvidence {
  const evidence: KafkaEvidence = {
    topic,
    partition,
    offset: message.offset,
    at: new Date(Number(message.timestamp)).toISOString(),
    deadLetterReason: headerText(message, DEAD_LETTER_HEADERS.reason),
    redrivenFrom: headerText(message, REDRIVEN_FROM_HEADER),
  };
  try {
    const body = messageFields(JSON.parse(message.value?.toString('utf8') ?? ''));
    for (const field of ['type', 'eventId', 'status'] as const) {
      if (typeof body[field] === 'string') evidence[field] = body[field];
    }
  } catch {
    // A malformed value (typically on a DLT) is still evidence: it is listed without fields.
  }
  return evidence;
}

/**
 * Scans both booking topics and their DLTs from the beginning to the current high watermark
 * and keeps what is keyed by this booking. A full scan is fine at this system's scale (a few
 * thousand messages); with long retention on a busy cluster, index messages by key instead.
 */
export async function collectKafkaEvidence(
  deps: AuditDeps,
  bookingId: string,
): Promise<KafkaEvidence[]> {
  const topics = [deps.topics.requests, deps.topics.updates].flatMap((t) => [
    t,
    deadLetterTopic(t),
  ]);
  const groupId = `staysaga-ops-audit-${randomUUID()}`;
  const found: KafkaEvidence[] = [];
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    const ranges = [];
    for (const topic of topics)
      ranges.push(...wholeTopicRanges(topic, await fetchWatermarks(admin, topic)));
    await readPartitionRanges({
      kafka: deps.kafka,
      groupId,
      ranges,
      handle: async (message, range) => {
        if (message.key?.toString('utf8') === bookingId) {
          found.push(kafkaEvidence(range.topic, range.partition, message));
        }
        return Promise.resolve('continue');
      },
    });
    await deleteThrowawayGroup(admin, groupId);
  } finally {
    await admin.disconnect();
  }
  return found;
}

/** Marks each decision on the updates topic with whether the API issued it. */
export async function withDecisionOrigins(
  evidence: KafkaEvidence[],
  topics: BookingTopics,
): Promise<KafkaEvidence[]> {
  return Promise.all(
    evidence.map(async (m) => {
      if (m.topic !== topics.updates || m.type !== 'booking-status-updated') return m;
      const issued = m.eventId ? await wasIssuedByApi(m.eventId) : false;
      return { ...m, origin: issued ? 'api' : 'topic-only' } satisfies KafkaEvidence;
    }),
  );
}
