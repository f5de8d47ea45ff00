import { Kafka, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';
import type { AppConfig } from '../config/env.js';
import type { Logger } from '../config/logger.js';
import type { BookingTopics } from './topics.js';

/** How a client authenticates: SASL credentials of its principal, and TLS. None: plaintext. */
export interface KafkaSecurity {
  sasl?: SASLOptions;
  ssl?: boolean;
}

type SecurityConfig = Pick<
  AppConfig,
  'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD' | 'KAFKA_SSL'
>;

/** The security settings of this process (config/env.ts validated that they are complete). */
export function kafkaSecurity(config: SecurityConfig): KafkaSecurity {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD } = config;
  const security: KafkaSecurity = config.KAFKA_SSL ? { ssl: true } : {};
  if (mechanism === undefined) return security;
  return {
    ...security,
    sasl: { mechanism, username: KAFKA_SASL_USERNAME ?? '', password: KAFKA_SASL_PASSWORD ?? '' },
  };
}

/**
 * Error responses kafkajs logs before retrying them itself (a broker that just started is still
 * loading its coordinators; createTopics racing another process): noise, not failures.
 */
const RETRIED_BY_KAFKAJS =
  /coordinator is loading|coordinator is not available|Topic creation errors|There is no leader/i;

/**
 * We bound the idempotent producer's retries on purpose: a publish that cannot get through is
 * retried by its caller (a Temporal activity, or the client of a 5xx), and every consumer
 * de-duplicates by eventId, so kafkajs's exactly-once caveat does not apply to us.
 */
const ACCEPTED_CAVEATS = /Limiting retries for the idempotent producer/;

/** The Kafka client of a process and the booking topics, as its configuration names them. */
export function kafkaOfConfig(
  config: SecurityConfig &
    Pick<
      AppConfig,
      | 'KAFKA_CLIENT_ID'
      | 'KAFKA_BROKERS'
      | 'KAFKA_REQUEST_TOPIC'
      | 'KAFKA_RESPONSE_TOPIC'
      | 'KAFKA_LIVE_EVENTS_TOPIC'
    >,
  log: Logger,
): { kafka: Kafka; topics: BookingTopics } {
  return {
    kafka: createKafka(config.KAFKA_CLIENT_ID, config.KAFKA_BROKERS, log, kafkaSecurity(config)),
    topics: {
      requests: config.KAFKA_REQUEST_TOPIC,
      updates: config.KAFKA_RESPONSE_TOPIC,
      liveEvents: config.KAFKA_LIVE_EVENTS_TOPIC,
    },
  };
}

/**
 * A kafkajs client whose own logs go through our logger (warnings and errors only), plaintext
 * unless `security` gives SASL credentials or TLS (`kafkaSecurity(config)`).
 */
export function createKafka(
  clientId: string,
  brokers: string[],
  log: Logger,
  security: KafkaSecurity = {},
): Kafka {
  const kafkaLog = log.child('kafkajs');
  return new Kafka({
    clientId,
    brokers,
    ...(security.ssl ? { ssl: true } : {}),
    ...(security.sasl ? { sasl: security.sasl } : {}),
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 300, retries: 10 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        if (RETRIED_BY_KAFKAJS.test(`${message} ${String(fields.error)}`)) return;
        if (ACCEPTED_CAVEATS.test(message)) return;
        if (level <= logLevel.ERROR) kafkaLog.error(message, fields);
        else kafkaLog.warn(message, fields);
      },
  });
}
