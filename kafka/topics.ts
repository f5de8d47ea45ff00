import type { Kafka } from 'kafkajs';
import { deadLetterTopic } from './dead-letters.js';

export interface BookingTopics {
  requests: string;
  updates: string;
}

export const TOPIC_PARTITIONS = 3;

/** Creates the booking topics and their dead-letter topics; a no-op when they exist. */
export async function ensureBookingTopics(
  kafka: Kafka,
  topics: BookingTopics,
  replicationFactor = 1,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [topics.requests, topics.updates].flatMap((t) => [t, deadLetterTopic(t)]);
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: TOPIC_PARTITIONS,
          replicationFactor,
        })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
