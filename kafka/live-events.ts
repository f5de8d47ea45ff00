/**
 * The live-events topic (KAFKA_LIVE_EVENTS_TOPIC, `user-events`) on both sides.
 *
 * Writing: `bookingStatusEvents` and `notificationEvent` build the messages the worker's
 * activities and the notification channel publish (kafka/publisher.ts `userEvents`), one per
 * recipient, keyed by userId.
 *
 * Reading: every API process that serves `GET /api/events` reads the whole topic into its
 * LiveEventHub (services/live-events.ts), so whichever replica holds a browser's stream sees
 * every event of that user. Each process is a consumer group of its own
 * (`staysaga-api-live-<random>`, granted READ by prefix in kafka/acl-plan.ts) that commits
 * nothing: it starts at the offsets of one window ago (LIVE_EVENTS_REPLAY_WINDOW) to fill the
 * replay buffer, and after any (re)join seeks each partition to where the hub stopped reading,
 * so a rebalance or a restart of the kafkajs consumer neither skips nor repeats a message. A
 * message that cannot be read is skipped with a warning: this is a broadcast every replica
 * reads, so dead-lettering it would write one copy per replica, and nothing downstream waits
 * for it (the client's lists in Mongo stay the truth).
 */
import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import type { Logger } from '../config/logger.js';
import type { BookingStatus } from '../domain/booking-status.js';
import {
  bookingStatusEventId,
  MESSAGE_SCHEMA_VERSION,
  notificationEventId,
  receivedUserEvent,
  type ReceivedUserEvent,
  type UserEventMessage,
} from '../domain/messages.js';
import type { LiveEventHub, LiveEventInput, PartitionStart } from '../services/live-events.js';
import { parseMessage } from './validated-consumer.js';

/** Each API process reads the live events in a group of its own with this prefix. */
export const LIVE_EVENTS_GROUP_PREFIX = 'staysaga-api-live-';

// ---- Writing ----------------------------------------------------------------------------------

/** A booking's status change, for both parties or only the owner (a new request). */
export interface BookingStatusChange {
  bookingId: string;
  propertyId: string;
  propertyName: string;
  travelerId: string;
  ownerId: string;
  status: BookingStatus;
  previousStatus: BookingStatus | null;
  at: string;
}

/** One message per recipient: the owner always, the traveler for every status but PENDING. */
export function bookingStatusEvents(change: BookingStatusChange): UserEventMessage[] {
  const { travelerId, ownerId, ...booking } = change;
  const eventId = bookingStatusEventId(change.bookingId, change.status);
  const recipients: { userId: string; role: 'traveler' | 'owner' }[] =
    change.status === 'PENDING'
      ? [{ userId: ownerId, role: 'owner' }]
      : [
          { userId: travelerId, role: 'traveler' },
          { userId: ownerId, role: 'owner' },
        ];
  return recipients.map(({ userId, role }) => ({
    type: 'booking-status',
    userId,
    role,
    ...booking,
    eventId,
    version: MESSAGE_SCHEMA_VERSION,
  }));
}

/** A stored in-app notification, as its recipient sees it live. */
export interface StoredNotificationView {
  id: string;
  userId: string;
  kind: string;
  title: string;
  body: string;
  bookingId?: string;
  createdAt: string;
  read: boolean;
}

export function notificationEvent(n: StoredNotificationView): UserEventMessage {
  const { userId, ...notification } = n;
  return {
    type: 'notification',
    userId,
    notification,
    eventId: notificationEventId(n.id),
    version: MESSAGE_SCHEMA_VERSION,
  };
}

// ---- Reading ----------------------------------------------------------------------------------

/** The SSE event a message becomes: its name and its JSON data. */
export function liveEventOf(message: ReceivedUserEvent): Pick<LiveEventInput, 'event' | 'data'> {
  if (message.type === 'notification') {
    return { event: 'notification', data: { notification: message.notification } };
  }
  const { bookingId, propertyId, propertyName, status, previousStatus, at, role } = message;
  return {
    event: 'booking-status',
    data: { bookingId, propertyId, propertyName, status, previousStatus, at, role },
  };
}

/**
 * The partition of a user's events on a topic of `partitions` partitions: what the producers'
 * default partitioner (kafka/publisher.ts) picks for the key `userId`.
 */
export function userPartitioner(partitions: number): (userId: string) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return (userId) =>
    partitioner({ topic: '', partitionMetadata, message: { key: userId, value: null } });
}

export interface LiveEventFeedOptions {
  kafka: Kafka;
  topic: string;
  hub: LiveEventHub;
  /** How far back to read at start (the replay window). */
  windowMs: number;
  log: Logger;
  now?: () => number;
}

export interface RunningLiveEventFeed {
  groupId: string;
  stop(): Promise<void>;
}

/** Reads the live-events topic into `hub` until stopped; resolves once the consumer runs. */
export async function startLiveEventFeed(
  options: LiveEventFeedOptions,
): Promise<RunningLiveEventFeed> {
  const { kafka, topic, hub, log } = options;
  const now = options.now ?? Date.now;
  const starts = await partitionStarts(kafka, topic, now() - options.windowMs);
  hub.begin(starts, userPartitioner(starts.length));

  const groupId = `${LIVE_EVENTS_GROUP_PREFIX}${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 1_000 });
  let stopping = false;
  let reportedCaughtUp = false;
  const reportCaughtUp = () => {
    if (reportedCaughtUp || !hub.caughtUp()) return;
    reportedCaughtUp = true;
    log.info('live events caught up', { topic, ...hub.stats() });
  };
  // After every join (the first included), read on from where the hub stopped: the group
  // commits nothing, so kafkajs alone would start from the end of the log.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    for (const partition of payload.memberAssignment[topic] ?? []) {
      const offset = hub.nextOffset(partition);
      if (offset !== undefined) consumer.seek({ topic, partition, offset: String(offset) });
    }
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (stopping) return;
    const fields = { topic, groupId, error: payload.error };
    if (payload.restart) log.warn('live-events consumer restarting', fields);
    else log.error('live-events consumer stopped: no live events until the API restarts', fields);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    eachMessage: ({ partition, message }) => {
      const offset = Number(message.offset);
      const parsed = parseMessage(message.value, receivedUserEvent);
      if (!parsed.ok) {
        hub.skip(partition, offset);
        log.warn('skipped a live event that cannot be read', {
          topic,
          partition,
          offset: message.offset,
          reason: parsed.reason,
          detail: parsed.detail,
        });
      } else {
        hub.add({
          userId: parsed.value.userId,
          eventId: parsed.value.eventId,
          partition,
          offset,
          timestamp: Number(message.timestamp),
          ...liveEventOf(parsed.value),
        });
      }
      reportCaughtUp();
      return Promise.resolve();
    },
  });
  log.info('reading live events', { topic, groupId, partitions: starts.length });
  reportCaughtUp();
  return {
    groupId,
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}

/**
 * Each partition's offsets, asked again while the broker answers with a retriable error: just
 * after the topic is created (or the broker restarted) its partitions may have no leader yet.
 */
async function partitionStarts(
  kafka: Kafka,
  topic: string,
  timestamp: number,
): Promise<PartitionStart[]> {
  const giveUpAt = Date.now() + PARTITION_STARTS_PATIENCE_MS;
  for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 2_000)) {
    try {
      return await readPartitionStarts(kafka, topic, timestamp);
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      if (!retriable || Date.now() + delayMs > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** How long an API start waits for the live-events topic's partitions to have leaders. */
const PARTITION_STARTS_PATIENCE_MS = 60_000;

/** Each partition's offset at `timestamp` (its first message since) and its end now. */
async function readPartitionStarts(
  kafka: Kafka,
  topic: string,
  timestamp: number,
): Promise<PartitionStart[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [from, end] = await Promise.all([
      admin.fetchTopicOffsetsByTimestamp(topic, timestamp),
      admin.fetchTopicOffsets(topic),
    ]);
    return from.map(({ partition, offset }) => ({
      partition,
      from: Number(offset),
      end: Number(end.find((e) => e.partition === partition)?.high ?? offset),
    }));
  } finally {
    await admin.disconnect();
  }
}
