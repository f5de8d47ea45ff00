import type { Kafka } from 'kafkajs';
import { deadLetterTopic } from './dead-letters.js';

export interface BookingTopics {
  requests: string;
  updates: string;
  /**
   * What each user sees live (`GET /api/events`), one message per recipient keyed by userId;
   * default `user-events` (KAFKA_LIVE_EVENTS_TOPIC). No dead-letter topic: every API replica
   * reads all of it in a group of its own, and skips what it cannot read (kafka/live-events.ts).
   */
  liveEvents?: string;
}

export const TOPIC_PARTITIONS = 3;

export const DEFAULT_LIVE_EVENTS_TOPIC = 'user-events';

/** The live-events topic of `topics`. */
export function liveEventsTopic(topics: BookingTopics): string {
  return topics.liveEvents ?? DEFAULT_LIVE_EVENTS_TOPIC;
}

/**
 * How long the live-events topic keeps its messages: a day, for operators to look back; the API
 * replays only the last hour (LIVE_EVENTS_REPLAY_WINDOW). Also in the compose and k8s init scripts.
 */
export const LIVE_EVENTS_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Creates the booking topics and their dead-letter topics, and the live-events topic; a no-op
 * when they exist.
 */
export async function ensureBookingTopics(
  kafka: Kafka,
  topics: BookingTopics,
  replicationFactor = 1,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const live = liveEventsTopic(topics);
    const wanted = [
      ...[topics.requests, topics.updates].flatMap((t) => [t, deadLetterTopic(t)]),
      live,
    ];
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: TOPIC_PARTITIONS,
          replicationFactor,
          ...(topic === live
            ? { configEntries: [{ name: 'retention.ms', value: String(LIVE_EVENTS_RETENTION_MS) }] }
            : {}),
        })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
