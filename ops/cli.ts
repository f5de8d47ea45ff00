/**
 * The operators' tools: `npm run ops -- <command> ...` (see `--help`). Each command is a
 * function in its own module taking explicit clients; this file only parses the command line,
 * connects what that command needs, prints the result and disconnects.
 */
import type { z } from 'zod';
import { ConfigError, loadConfig, type AppConfig } from '../config/env.js';
import { createLogger, type Logger } from '../config/logger.js';
import { kafkaOfConfig } from '../kafka/client.js';
import { BookingEventPublisher } from '../kafka/publisher.js';
import { connectTemporal } from '../temporal/client.js';
import { openSystemContext } from '../processes/system-context.js';
import { tokenizeArguments, UsageError, validateArguments, type FlagSpec } from './arguments.js';
import { AUDIT_USAGE, auditArguments, auditBooking, formatAuditReport } from './audit/index.js';
import { BOOKINGS_USAGE, bookingsArguments, formatBookingList, listBookings } from './bookings.js';
import {
  REDRIVE_USAGE,
  redriveArguments,
  redriveDeadLetters,
  type RedriveSummary,
} from './redrive-dlt.js';
import { REPLAY_USAGE, replayArguments, replayTopic, type ReplaySummary } from './replay.js';

interface Command<T> {
  usage: string;
  flags: FlagSpec;
  schema: z.ZodType<T, unknown>;
  /** Connects what it needs, runs, disconnects; returns the text to print. */
  run(options: T, config: AppConfig, log: Logger): Promise<string>;
}

const command = <T>(c: Command<T>) => c;

export const COMMANDS = {
  replay: command({
    usage: REPLAY_USAGE,
    flags: { valued: ['from-time', 'from-offset', 'partition', 'until-time'], switches: [] },
    schema: replayArguments,
    async run(options, config, log) {
      // The notifier's handler writes notifications to Mongo and the bridge's signals Temporal.
      const ctx = await openSystemContext(config, log);
      try {
        return formatReplaySummary(await replayTopic({ ...ctx, log }, options));
      } finally {
        await ctx.close();
      }
    },
  }),
  'redrive-dlt': command({
    usage: REDRIVE_USAGE,
    flags: { valued: ['reason', 'booking'], switches: ['dry-run'] },
    schema: redriveArguments,
    async run(options, config, log) {
      const { kafka, topics } = kafkaOfConfig(config, log);
      const publisher = await BookingEventPublisher.connect(kafka, topics);
      try {
        return formatRedriveSummary(
          await redriveDeadLetters({ kafka, publisher, topics, log }, options),
        );
      } finally {
        await publisher.disconnect();
      }
    },
  }),
  audit: command({
    usage: AUDIT_USAGE,
    flags: { valued: [], switches: ['json'] },
    schema: auditArguments,
    async run(options, config, log) {
      const ctx = await openSystemContext(config, log);
      try {
        const report = await auditBooking(ctx, options.bookingId);
        return options.json ? JSON.stringify(report, null, 2) : formatAuditReport(report);
      } finally {
        await ctx.close();
      }
    },
  }),
  bookings: command({
    usage: BOOKINGS_USAGE,
    flags: {
      valued: ['status', 'property', 'owner', 'traveler', 'check-in-from', 'check-in-to', 'limit'],
      switches: [],
    },
    schema: bookingsArguments,
    async run(options, config) {
      const temporal = await connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
      try {
        const { query, bookings } = await listBookings(temporal, options);
        return `${formatBookingList(bookings)}\n(${bookings.length} shown; query: ${query})`;
      } finally {
        await temporal.connection.close();
      }
    },
  }),
};
type CommandName = keyof typeof COMMANDS;

export const USAGE = `StaySaga operators' tools: npm run ops -- <command> [options]   (--help after a command for its own)

${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join('\n\n')}

Configuration comes from the same environment as the system (KAFKA_BROKERS, TEMPORAL_ADDRESS,
MONGODB_URI, ...). On a secure Kafka the tools log in as the admin: KAFKA_SASL_MECHANISM,
KAFKA_SASL_USERNAME=staysaga-admin, KAFKA_SASL_PASSWORD. Exit codes: 0 done, 1 failed, 2 bad
command line.`;

export function formatReplaySummary(summary: ReplaySummary): string {
  const lines = summary.partitions.map(
    (p) =>
      `  partition ${p.partition}: from offset ${p.from} to ${p.highWatermark}: read ${p.read}, ` +
      `delivered ${p.delivered}, invalid ${p.invalid}, undeliverable ${p.undeliverable}`,
  );
  const { read, delivered, invalid, undeliverable } = summary.totals;
  const reasons = Object.entries(summary.undeliverableReasons)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  return [
    `Replayed ${summary.topic} (throwaway group ${summary.groupId})`,
    ...lines,
    `  total: read ${read}, delivered ${delivered}, invalid ${invalid} (not re-dead-lettered), ` +
      `undeliverable ${undeliverable}${reasons ? ` (${reasons})` : ''}`,
  ].join('\n');
}

export function formatRedriveSummary(summary: RedriveSummary): string {
  const verb = summary.dryRun ? 'would re-drive' : 're-driven';
  return [
    ...summary.deadLetters.map(
      (d) => `  ${verb} ${d.from} key=${d.key ?? '-'} reason=${d.reason ?? '-'}`,
    ),
    `${summary.deadLetterTopic} (group ${summary.groupId}${summary.dryRun ? ', dry run' : ''}): ` +
      `read ${summary.read}, ${verb} ${summary.redriven}, skipped by filter ${summary.skippedByFilter}, ` +
      `not from this topic ${summary.foreign}`,
  ].join('\n');
}

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** Runs one command line; resolves to the process exit code. */
export async function runOps(
  argv: readonly string[],
  out: { write(text: string): unknown } = process.stdout,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === 'help') {
    out.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (!isCommandName(name)) {
    process.stderr.write(
      `ops: unknown command "${name}"; one of ${Object.keys(COMMANDS).join(', ')}\n`,
    );
    return 2;
  }
  const spec = COMMANDS[name] as Command<unknown>;
  if (rest.includes('--help')) {
    out.write(`${spec.usage}\n`);
    return 0;
  }
  try {
    const options = validateArguments(spec.schema, tokenizeArguments(rest, spec.flags));
    const config = loadConfig();
    // Quiet by default so the output is the report; LOG_LEVEL=info shows what the tool does.
    const log = createLogger('ops', process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn');
    out.write(`${await spec.run(options, config, log)}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`ops ${name}: ${message}\n`);
    if (error instanceof UsageError) {
      process.stderr.write(`usage: ${spec.usage.split('\n')[0]}\n`);
      return 2;
    }
    return error instanceof ConfigError ? 2 : 1;
  }
}

const isEntryPoint = import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntryPoint) {
  // Exit explicitly: a client library's idle timer must not keep a finished command alive.
  void runOps(process.argv.slice(2)).then((code) => process.exit(code));
}
