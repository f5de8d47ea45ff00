/**
 * Reads what really went over Kafka: a consumer in a group of its own, from the beginning of
 * the given topics, keeping every record so tests can assert messages field by field.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { inject } from 'vitest';
import { eventually } from './eventually.js';

export interface RecordedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: any;
  raw: string;
  headers: Record<string, string>;
}

export class TopicRecorder {
  readonly messages: RecordedMessage[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(topics: string[]): Promise<TopicRecorder> {
    const kafka = new Kafka({
      brokers: inject('kafkaBrokers').split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `test-recorder-${randomUUID()}` });
    const recorder = new TopicRecorder(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const raw = message.value?.toString('utf8') ?? '';
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch {
          value = undefined;
        }
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        recorder.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value,
          raw,
          headers,
        });
      },
    });
    return recorder;
  }

  matching(topic: string, predicate: (m: RecordedMessage) => boolean): RecordedMessage[] {
    return this.messages.filter((m) => m.topic === topic && predicate(m));
  }

  /** The one message on `topic` for which `predicate` holds, once it has arrived. */
  async waitFor(topic: string, predicate: (m: RecordedMessage) => boolean, timeoutMs = 30_000) {
    return eventually(
      () => {
        const found = this.matching(topic, predicate);
        if (found.length === 0) throw new Error(`no matching message on ${topic} yet`);
        return found[0] as RecordedMessage;
      },
      { timeoutMs },
    );
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
