import { Partitioners, type IHeaders, type Kafka, type Producer } from 'kafkajs';
import type { z } from 'zod';
import {
  bookingCreatedMessage,
  bookingStatusUpdatedMessage,
  type BookingCreatedMessage,
  type BookingStatusUpdatedMessage,
} from '../domain/messages.js';
import type { BookingTopics } from './topics.js';

/**
 * One idempotent producer per process. Messages are validated against their contract before
 * they leave and keyed by bookingId so each booking's messages stay in order on one partition.
 */
export class BookingEventPublisher {
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
