/**
 * Command-line arguments of the operators' tools: a tiny tokenizer (`--flag value`,
 * `--flag=value`, boolean switches) and zod validation of what it found, so a typo stops the
 * command with one clear line before it connects to anything.
 */
import { z } from 'zod';

/** A bad command line: the CLI prints the message and the command's usage, exit code 2. */
export class UsageError extends Error {}

export interface TokenizedArguments {
  positionals: string[];
  flags: Record<string, string | true>;
}

export interface FlagSpec {
  /** Flags that take a value (`--limit 20` or `--limit=20`). */
  valued: readonly string[];
  /** Switches without a value (`--dry-run`). */
  switches: readonly string[];
}

export function tokenizeArguments(argv: readonly string[], spec: FlagSpec): TokenizedArguments {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (!token.startsWith('--')) {
      positionals.push(token);
      continue;
    }
    const [name, inlineValue] = splitFlag(token.slice(2));
    if (name in flags) throw new UsageError(`--${name} given twice`);
    if (spec.switches.includes(name)) {
      if (inlineValue !== undefined) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else if (spec.valued.includes(name)) {
      const value = inlineValue ?? argv[++i];
      if (value === undefined || value.startsWith('--')) {
        throw new UsageError(`--${name} needs a value`);
      }
      flags[name] = value;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positionals, flags };
}

function splitFlag(text: string): [string, string | undefined] {
  const eq = text.indexOf('=');
  return eq === -1 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
}

/** Validates tokenized arguments with a command's schema; the first problem becomes the error. */
export function validateArguments<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const message = issue?.message ?? 'invalid arguments';
  const [section, key] = issue?.path ?? [];
  if (section === 'positionals' && typeof key === 'number') {
    throw new UsageError(`argument ${key + 1}: ${message}`);
  }
  if (section === 'flags' && typeof key === 'string') throw new UsageError(`--${key}: ${message}`);
  throw new UsageError(message);
}

/** The two booking topics, named as operators know them; mapped to the configured names. */
export const bookingTopicName = z.enum(['booking-requests', 'booking-updates'], {
  error: 'must be booking-requests or booking-updates',
});
export type BookingTopicName = z.infer<typeof bookingTopicName>;

/**
 * An instant on the command line: RFC 3339 with a zone (`2027-03-01T00:00:00Z`,
 * `...+01:00`) or a plain UTC day (`2027-03-01`). Parsed into a Date, so only our own
 * normalized form ever reaches a query.
 */
export const instantArgument = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], {
    error: 'must be an RFC 3339 time like 2027-03-01T00:00:00Z or a day like 2027-03-01',
  })
  .transform((text) => new Date(text.length === 10 ? `${text}T00:00:00Z` : text));

/** A non-negative whole number (offsets can exceed 2^53, so they stay bigint). */
export const offsetArgument = z
  .string()
  .regex(/^\d+$/, 'must be a non-negative whole number')
  .transform((text) => BigInt(text));

export const partitionArgument = z
  .string()
  .regex(/^\d+$/, 'must be a partition number')
  .transform(Number);
