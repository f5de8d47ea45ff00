/**
 * Kafka's own console producer (`org.apache.kafka.tools.ConsoleProducer`, from the kafka-tools
 * jar the stack caches) as a peer client for tests: messages produced by a client that is not
 * kafkajs, the way another team's service or an operator's shell would send them.
 *
 *   await produceWithConsoleProducer({
 *     brokers: ['127.0.0.1:9092'],
 *     topic: 'booking-updates',
 *     records: [{ key: bookingId, value: '{"type":"booking-status-updated",...}' }],
 *     sasl: { mechanism: 'scram-sha-512', username: 'staysaga-owner', password },  // optional
 *   });
 *
 * How it runs: `java -cp <jars>/* org.apache.kafka.tools.ConsoleProducer --bootstrap-server ...
 * --topic ... --reader-property parse.key=true --reader-property key.separator=<US> --sync
 * --max-block-ms N [--command-config <file>]`, one record per stdin line, `key<US>value`, where
 * US is the ASCII unit separator (U+001F). The reader splits each line at the first separator,
 * so the value may hold anything but a line break; a key that contains the separator or a line
 * break, or a value with a line break, is refused before the tool starts (pretty-printed JSON:
 * `JSON.stringify(JSON.parse(text))` first). A `null` key is sent as a record without a key
 * (through the reader's `null.marker`). A value is the raw bytes of the line (UTF-8), whatever
 * they are: valid JSON or not. Options and the producer settings are Kafka 4.4's names
 * (`--reader-property`, `--command-config`; `--property` and `--producer.config` are
 * deprecated there). SASL credentials go into a temporary `--command-config` file (mode 0600).
 *
 * `--sync` sends each record and waits for its acknowledgement (acks=all, idempotent by
 * default in Kafka 4), so the tool exits non-zero on the first record it cannot deliver: a
 * refused login, an ACL that does not allow it, a missing topic or an unreachable broker (after
 * `timeoutMs`). The promise then rejects with the exit code and the tail of the tool's stderr.
 */
import { clientProperties, outputTail, runKafkaTool, withClientConfig } from './kafka.js';

/** ASCII unit separator: never in a booking id, an event id or a JSON text. */
export const CONSOLE_KEY_SEPARATOR = '\u001f';
/** Marks a null key; the reader replaces a field equal to it with null. */
const NULL_MARKER = '\u001e\u001e<null>\u001e\u001e';

export interface ConsoleRecord {
  /** The record key (a bookingId for the booking topics), or null for none. */
  key: string | null;
  /** The raw value, e.g. one JSON text on one line. */
  value: string;
}

export interface ConsoleProducerOptions {
  /** Bootstrap servers: `host:port` or a list of them. */
  brokers: string | string[];
  topic: string;
  records: ConsoleRecord[];
  /** Log in as this principal (SASL_PLAINTEXT, or SASL_SSL with `ssl`); none: plaintext. */
  sasl?: {
    mechanism: 'scram-sha-256' | 'scram-sha-512' | 'plain';
    username: string;
    password: string;
  };
  ssl?: boolean;
  /**
   * How long the producer may wait for metadata or one record's acknowledgement (max.block.ms,
   * delivery.timeout.ms). Default 20 s. The JVM is killed 30 s after that at the latest.
   */
  timeoutMs?: number;
}

export interface ConsoleProducerResult {
  records: number;
  durationMs: number;
  /** What the tool printed on stderr (warnings), for a test that wants to look. */
  stderr: string;
}

export class ConsoleProducerError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'ConsoleProducerError';
  }
}

/** Rejects records the line-oriented reader would split or merge wrongly. */
function recordLine(record: ConsoleRecord, index: number): string {
  const { key, value } = record;
  if (typeof value !== 'string') throw new TypeError(`record ${index}: value must be a string`);
  if (/[\r\n]/.test(value)) {
    throw new TypeError(
      `record ${index}: the value has a line break; the console producer reads one record per ` +
        'line (compact the JSON first)',
    );
  }
  if (key === null) return `${NULL_MARKER}${CONSOLE_KEY_SEPARATOR}${value}`;
  if (typeof key !== 'string') throw new TypeError(`record ${index}: key must be a string or null`);
  if (/[\r\n]/.test(key) || key.includes(CONSOLE_KEY_SEPARATOR) || key === NULL_MARKER) {
    throw new TypeError(`record ${index}: the key holds a line break or the key separator U+001F`);
  }
  return `${key}${CONSOLE_KEY_SEPARATOR}${value}`;
}

export async function produceWithConsoleProducer(
  options: ConsoleProducerOptions,
): Promise<ConsoleProducerResult> {
  const started = Date.now();
  const brokers = Array.isArray(options.brokers) ? options.brokers.join(',') : options.brokers;
  if (!brokers) throw new TypeError('no brokers given');
  if (!options.topic) throw new TypeError('no topic given');
  const lines = options.records.map(recordLine);
  if (lines.length === 0) return { records: 0, durationMs: 0, stderr: '' };
  const timeoutMs = options.timeoutMs ?? 20_000;
  // Kafka wants delivery.timeout.ms >= linger.ms (the tool's 1000) + request.timeout.ms.
  const requestTimeoutMs = Math.min(timeoutMs, 5_000);
  const deliveryTimeoutMs = Math.max(timeoutMs, requestTimeoutMs + 2_000);
  const args = [
    '--bootstrap-server',
    brokers,
    '--topic',
    options.topic,
    '--reader-property',
    'parse.key=true',
    '--reader-property',
    `key.separator=${CONSOLE_KEY_SEPARATOR}`,
    '--reader-property',
    `null.marker=${NULL_MARKER}`,
    '--sync',
    '--request-required-acks',
    'all',
    '--max-block-ms',
    String(timeoutMs),
    '--command-property',
    `delivery.timeout.ms=${deliveryTimeoutMs}`,
    '--request-timeout-ms',
    String(requestTimeoutMs),
  ];
  const properties = clientProperties(options.sasl, options.ssl ?? false);
  const result = await withClientConfig(properties, (file) =>
    runKafkaTool(
      'org.apache.kafka.tools.ConsoleProducer',
      properties ? [...args, '--command-config', file] : args,
      { stdin: `${lines.join('\n')}\n`, timeoutMs: timeoutMs + 30_000 },
    ),
  );
  if (result.code !== 0 || result.timedOut) {
    const why = result.timedOut ? 'was killed after its time limit' : `exited ${result.code}`;
    throw new ConsoleProducerError(
      `Kafka's console producer ${why} producing ${lines.length} record(s) to ${options.topic} ` +
        `on ${brokers}${options.sasl ? ` as ${options.sasl.username}` : ' (no credentials)'}:\n` +
        outputTail(result.stderr + result.stdout),
      result.code,
      result.stderr,
    );
  }
  return { records: lines.length, durationMs: Date.now() - started, stderr: result.stderr };
}
