import { Partitioners, type IHeaders, type Kafka, type Producer } from 'kafkajs';
import type { z } from 'zod';
import {
  bookingCreatedMessage,
  bookingStatusUpdatedMessage,
  userEventMessage,
  type BookingCreatedMessage,
  type BookingStatusUpdatedMessage,
  type UserEventMessage,
} from '../domain/messages.js';
import { liveEventsTopic, type BookingTopics } from './topics.js';

/** Where a process sends what users see live (`GET /api/events`): the publisher, or a fake. */
export interface UserEventSink {
  userEvents(messages: UserEventMessage[]): Promise<void>;
}

/**
 * One idempotent producer per process. Messages are validated against their contract before
 * they leave and keyed by bookingId so each booking's messages stay in order on one partition.
 */
export class BookingEventPublisher implements UserEventSink {
  private constructor(
    private readonly producer: Producer,
    private readonly topics: BookingTopics,
  ) {}

  static async connect(kafka: Kafka, topics: BookingTopics): Promise<BookingEventPublisher> {
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    return new BookingEventPublisher(producer, topics);
  }

  async bookingCreated(message: BookingCreatedMessage): Promise<void> {
    await this.send(this.topics.requests, bookingCreatedMessage, message);
  }

  async bookingStatusUpdated(message: BookingStatusUpdatedMessage): Promise<void> {
    await this.send(this.topics.updates, bookingStatusUpdatedMessage, message);
  }

  /**
   * Live events, one per recipient, keyed by userId (all of a user's events on one partition, in
   * order), in one request. Retried by the caller like every publish; the API de-duplicates by
   * eventId.
   */
  async userEvents(messages: UserEventMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const valid = messages.map((m) => userEventMessage.parse(m));
    await this.producer.send({
      topic: liveEventsTopic(this.topics),
      acks: -1,
      messages: valid.map((m) => ({
        key: m.userId,
        value: JSON.stringify(m),
        headers: { 'message-type': m.type },
      })),
    });
  }

  /** Re-sends a raw message unchanged (dead-lettering, re-driving) with extra headers. */
  async sendRaw(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    headers: IHeaders,
  ): Promise<void> {
    await this.producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  private async send<S extends z.ZodType<{ bookingId: string; type: string }>>(
    topic: string,
    schema: S,
    message: z.infer<S>,
  ): Promise<void> {
    const valid = schema.parse(message);
    await this.producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: valid.bookingId,
          value: JSON.stringify(valid),
          headers: { 'message-type': valid.type },
        },
      ],
    });
  }
}
