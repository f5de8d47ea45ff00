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
import { createKafka } from '../kafka/client.js';
import { BookingEventPublisher } from '../kafka/publisher.js';
import { ensureBookingTopics, type BookingTopics } from '../kafka/topics.js';
import { connectTemporal } from '../temporal/client.js';

export interface SystemContext {
  config: AppConfig;
  log: Logger;
  kafka: Kafka;
  topics: BookingTopics;
  publisher: BookingEventPublisher;
  temporal: Client;
  /** Extra interceptors for the booking worker (only the bench sets them). */
  workerInterceptors?: WorkerInterceptors;
  close(): Promise<void>;
}

export async function openSystemContext(config: AppConfig, log: Logger): Promise<SystemContext> {
  await connectMongo(config.MONGODB_URI, log.child('mongo'));
  const kafka = createKafka(config.KAFKA_CLIENT_ID, config.KAFKA_BROKERS, log);
  const topics = { requests: config.KAFKA_REQUEST_TOPIC, updates: config.KAFKA_RESPONSE_TOPIC };
  await ensureBookingTopics(kafka, topics, config.KAFKA_TOPIC_REPLICATION_FACTOR);
  const publisher = await BookingEventPublisher.connect(kafka, topics);
  const temporal = await connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  log.info('connected', {
    kafka: config.KAFKA_BROKERS.join(','),
    temporal: config.TEMPORAL_ADDRESS,
  });
  return {
    config,
    log,
    kafka,
    topics,
    publisher,
    temporal,
    async close() {
      await publisher.disconnect();
      await temporal.connection.close();
      await disconnectMongo();
    },
  };
}
