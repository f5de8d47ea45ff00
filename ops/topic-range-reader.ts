/**
 * Reads fixed offset ranges of Kafka partitions and then stops: the common engine of replay,
 * re-drive and audit. kafkajs has no manual partition assignment, so we join a consumer group
 * (one member gets every partition), seek each partition to its start and pause it once it
 * reached its end, which is the high watermark taken before reading. Messages produced while
 * we read are therefore never touched, and the command always terminates.
 */
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

export interface PartitionRange {
  topic: string;
  partition: number;
  /** First offset to read. */
  start: bigint;
  /** One past the last offset to read: the high watermark when the command started. */
  end: bigint;
}

export interface PartitionWatermarks {
  partition: number;
  low: bigint;
  high: bigint;
}

/** `continue` reads on; `stop` ends this partition early (e.g. past `--until-time`). */
export type ReadVerdict = 'continue' | 'stop';

export interface RangeReadOptions {
  kafka: Kafka;
  groupId: string;
  ranges: PartitionRange[];
  handle(message: KafkaMessage, range: PartitionRange): Promise<ReadVerdict>;
  /** Commit each handled offset to `groupId` (re-drive); throwaway readers commit nothing. */
  commit?: boolean;
  /** Gives up if the ranges are not read within this time (a broker that stopped answering). */
  timeoutMs?: number;
}

export async function fetchWatermarks(admin: Admin, topic: string): Promise<PartitionWatermarks[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets
    .map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
    .sort((a, b) => a.partition - b.partition);
}

/** Ranges from the beginning of every partition up to its current high watermark. */
export function wholeTopicRanges(topic: string, marks: PartitionWatermarks[]): PartitionRange[] {
  return marks.map((m) => ({ topic, partition: m.partition, start: m.low, end: m.high }));
}

export function rangeKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/**
 * Reads every range and resolves once each one is done. A handler error stops the read and is
 * rethrown with the position it happened at, so an operator knows where to resume.
 */
export async function readPartitionRanges(options: RangeReadOptions): Promise<void> {
  const pending = new Map<string, PartitionRange>();
  for (const range of options.ranges) {
    if (range.start < range.end) pending.set(rangeKey(range.topic, range.partition), range);
  }
  if (pending.size === 0) return;

  const topics = [...new Set([...pending.values()].map((r) => r.topic))];
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    // One member only: nothing to wait for before the first assignment.
    rebalanceTimeout: 10_000,
  });
  let finish!: (error?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (error) => (error ? reject(error) : resolve());
  });
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const timer = setTimeout(() => {
    const left = [...pending.keys()].join(', ');
    finish(new Error(`timed out after ${timeoutMs / 1000}s still reading ${left}`));
  }, timeoutMs);

  const endPartition = (range: PartitionRange) => {
    pending.delete(rangeKey(range.topic, range.partition));
    consumer.pause([{ topic: range.topic, partitions: [range.partition] }]);
    if (pending.size === 0) finish();
  };

  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const range = pending.get(rangeKey(topic, partition));
        const offset = BigInt(message.offset);
        // Fetches issued before our seek landed, or after a partition ended, are not ours.
        if (!range || offset < range.start) return;
        if (offset >= range.end) return endPartition(range);
        try {
          const verdict = await options.handle(message, range);
          if (options.commit) {
            const next = (offset + 1n).toString();
            await consumer.commitOffsets([{ topic, partition, offset: next }]);
          }
          if (verdict === 'stop' || offset + 1n >= range.end) endPartition(range);
        } catch (error) {
          pending.clear();
          consumer.pause(topics.map((t) => ({ topic: t })));
          finish(
            new Error(`stopped at ${topic}:${partition}@${message.offset}: ${errorText(error)}`),
          );
        }
      },
    });
    for (const range of pending.values()) {
      consumer.seek({ topic: range.topic, partition: range.partition, offset: `${range.start}` });
    }
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Header values arrive as Buffers (or arrays of them); operators want text. */
export function headerText(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

export function messageHeaders(message: KafkaMessage): Record<string, string> {
  return Object.fromEntries(
    Object.keys(message.headers ?? {}).map((name) => [name, headerText(message, name) ?? '']),
  );
}

/** Deletes a throwaway consumer group; one that cannot be deleted just stays idle. */
export async function deleteThrowawayGroup(admin: Admin, groupId: string): Promise<boolean> {
  try {
    await admin.deleteGroups([groupId]);
    return true;
  } catch {
    return false;
  }
}
