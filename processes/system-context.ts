/**
 * What every StaySaga process shares: configuration, the Mongo connection, the Kafka client and
 * idempotent producer, and the Temporal client. Opened once per process, closed on shutdown.
 */
import type { Client } from '@temporalio/client';
import type { WorkerInterceptors } from '@temporalio/worker';
import type { Kafka } from 'kafkajs';
import type { AppConfig } from '../config/env.js';
import type { Logger } from '../config/logger.js';
import { connectMongo, disconnectMongo } from '../db/connection.js';
import { kafkaOfConfig } from '../kafka/client.js';
import { BookingEventPublisher } from '../kafka/publisher.js';
import { ensureBookingTopics, type BookingTopics } from '../kafka/topics.js';
import { createNotificationChannel, type NotificationChannel } from '../notifications/channel.js';
import { createEmailSender, type EmailSender } from '../notifications/email.js';
import { connectTemporal } from '../temporal/client.js';

/** A started component of a process: the API, the worker, a consumer. */
export interface RunningComponent {
  name: string;
  stop(): Promise<void>;
}

export interface SystemContext {
  config: AppConfig;
  log: Logger;
  kafka: Kafka;
  topics: BookingTopics;
  publisher: BookingEventPublisher;
  temporal: Client;
  /** Email over SMTP, when SMTP_URL is set. */
  email: EmailSender | null;
  /** The one notification channel of the process: in-app store, and email when configured. */
  notifications: NotificationChannel;
  /** Extra interceptors for the booking worker (only the bench sets them). */
  workerInterceptors?: WorkerInterceptors;
  close(): Promise<void>;
}

export async function openSystemContext(config: AppConfig, log: Logger): Promise<SystemContext> {
  await connectMongo(config.MONGODB_URI, log.child('mongo'));
  const { kafka, topics } = kafkaOfConfig(config, log);
  // Off where an admin step creates the topics: a role's principal may not (kafka/acl-plan.ts).
  if (config.KAFKA_ENSURE_TOPICS) {
    await ensureBookingTopics(kafka, topics, config.KAFKA_TOPIC_REPLICATION_FACTOR);
  }
  const publisher = await BookingEventPublisher.connect(kafka, topics);
  const temporal = await connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const email = config.SMTP_URL
    ? createEmailSender({
        smtpUrl: config.SMTP_URL,
        from: config.MAIL_FROM,
        log: log.child('email'),
      })
    : null;
  const notifications = createNotificationChannel({
    log: log.child('notify'),
    live: { events: publisher, windowMs: config.LIVE_EVENTS_REPLAY_WINDOW },
  });
  log.info('connected', {
    kafka: config.KAFKA_BROKERS.join(','),
    kafkaPrincipal: config.KAFKA_SASL_USERNAME ?? '(anonymous)',
    temporal: config.TEMPORAL_ADDRESS,
  });
  return {
    config,
    log,
    kafka,
    topics,
    publisher,
    temporal,
    email,
    notifications,
    async close() {
      email?.close();
      await publisher.disconnect();
      await temporal.connection.close();
      await disconnectMongo();
    },
  };
}
