/**
 * The operators' tools refuse bad command lines before connecting to anything, and build
 * Temporal visibility queries only from validated, re-rendered values.
 */
import { describe, expect, it } from 'vitest';
import { tokenizeArguments, UsageError, validateArguments } from '../../ops/arguments.js';
import { bookingsArguments, bookingVisibilityQuery } from '../../ops/bookings.js';
import { runOps } from '../../ops/cli.js';
import { redriveArguments } from '../../ops/redrive-dlt.js';
import { replayArguments, replayRanges } from '../../ops/replay.js';

const BOOKINGS_FLAGS = {
  valued: ['status', 'property', 'owner', 'traveler', 'check-in-from', 'check-in-to', 'limit'],
  switches: [],
};
const PROPERTY = '6b05f48681132b342d127903';

function parse<T>(
  schema: Parameters<typeof validateArguments<T>>[0],
  argv: string[],
  flags: { valued: string[]; switches: string[] },
) {
  return validateArguments(schema, tokenizeArguments(argv, flags));
}

describe('tokenizing a command line', () => {
  it('reads --flag value, --flag=value, switches and positionals', () => {
    expect(
      tokenizeArguments(['booking-updates', '--reason=unknown-booking', '--dry-run'], {
        valued: ['reason'],
        switches: ['dry-run'],
      }),
    ).toEqual({
      positionals: ['booking-updates'],
      flags: { reason: 'unknown-booking', 'dry-run': true },
    });
  });

  it.each([
    [['--nope'], 'unknown option --nope'],
    [['--limit'], '--limit needs a value'],
    [['--limit', '--status'], '--limit needs a value'],
    [['--limit', '1', '--limit', '2'], '--limit given twice'],
  ])('refuses %j', (argv, message) => {
    expect(() => tokenizeArguments(argv, BOOKINGS_FLAGS)).toThrow(new UsageError(message));
  });
});

describe('replay arguments', () => {
  const flags = { valued: ['from-time', 'from-offset', 'partition', 'until-time'], switches: [] };

  it('takes a start time, normalized to a Date', () => {
    expect(parse(replayArguments, ['booking-updates', '--from-time', '2027-03-01'], flags)).toEqual(
      {
        topic: 'booking-updates',
        from: { kind: 'time', at: new Date('2027-03-01T00:00:00Z') },
        until: undefined,
      },
    );
  });

  it('takes a start offset on one partition', () => {
    expect(
      parse(
        replayArguments,
        ['booking-requests', '--from-offset', '42', '--partition', '2'],
        flags,
      ),
    ).toMatchObject({ from: { kind: 'offset', offset: 42n, partition: 2 } });
  });

  it.each([
    [['booking-updates'], 'give exactly one of --from-time, --from-offset'],
    [['booking-updates', '--from-time', '2027-03-01', '--from-offset', '1'], 'give exactly one'],
    [['booking-updates', '--from-time', '2027-03-01', '--partition', '1'], '--partition goes with'],
    [['bookings', '--from-offset', '1'], 'argument 1: must be booking-requests or booking-updates'],
    [['booking-updates', '--from-offset', '-1'], '--from-offset: must be a non-negative'],
    [['booking-updates', '--from-time', 'yesterday'], '--from-time: must be an RFC 3339 time'],
  ])('refuses %j', (argv, message) => {
    expect(() => parse(replayArguments, argv, flags)).toThrow(message);
  });

  it('clamps each partition between its oldest retained offset and the high watermark', () => {
    const marks = [
      { partition: 0, low: 5n, high: 10n },
      { partition: 1, low: 0n, high: 3n },
      { partition: 2, low: 0n, high: 8n },
    ];
    const starts = new Map([
      [0, 2n],
      [1, 7n],
    ]);
    expect(replayRanges('booking-updates', marks, starts)).toEqual([
      { topic: 'booking-updates', partition: 0, start: 5n, end: 10n },
      { topic: 'booking-updates', partition: 1, start: 3n, end: 3n },
    ]);
  });
});

describe('redrive-dlt arguments', () => {
  const flags = { valued: ['reason', 'booking'], switches: ['dry-run'] };

  it('takes a reason, a booking and a dry run', () => {
    expect(
      parse(
        redriveArguments,
        ['booking-updates', '--reason', 'unknown-booking', '--booking', PROPERTY, '--dry-run'],
        flags,
      ),
    ).toEqual({
      topic: 'booking-updates',
      reason: 'unknown-booking',
      bookingId: PROPERTY,
      dryRun: true,
    });
  });

  it('refuses a reason no consumer gives', () => {
    expect(() => parse(redriveArguments, ['booking-updates', '--reason', 'bad'], flags)).toThrow(
      '--reason',
    );
  });
});

describe('bookings visibility query', () => {
  it('combines every filter on the saga search attributes', () => {
    const options = parse(
      bookingsArguments,
      [
        '--status',
        'PENDING',
        '--property',
        PROPERTY,
        '--check-in-from',
        '2027-03-01T00:00:00+01:00',
        '--check-in-to',
        '2027-04-01',
      ],
      BOOKINGS_FLAGS,
    );
    expect(options.limit).toBe(50);
    expect(bookingVisibilityQuery(options)).toBe(
      'WorkflowType = "bookingWorkflow" AND BookingStatus = "PENDING" AND ' +
        `PropertyId = "${PROPERTY}" AND CheckIn >= "2027-02-28T23:00:00.000Z" AND ` +
        'CheckIn < "2027-04-01T00:00:00.000Z"',
    );
  });

  it.each([
    [['--property', `${PROPERTY}" OR WorkflowId != "`], '--property'],
    [['--owner', 'x'], '--owner'],
    [['--status', 'accepted'], '--status'],
    [['--check-in-from', '2027-03-01T00:00:00'], '--check-in-from'],
    [['--limit', '0'], '--limit'],
  ])('refuses %j instead of putting it in the query', (argv, flag) => {
    expect(() => parse(bookingsArguments, argv, BOOKINGS_FLAGS)).toThrow(flag);
  });
});

describe('the ops entry point', () => {
  it('prints help with exit code 0 and refuses bad lines with 2, before connecting', async () => {
    let printed = '';
    const out = { write: (text: string) => (printed += text) };
    expect(await runOps(['--help'], out)).toBe(0);
    expect(printed).toContain('redrive-dlt <booking-requests|booking-updates>');
    expect(await runOps(['audit', '--help'], out)).toBe(0);
    expect(printed).toContain('audit <bookingId> [--json]');
    expect(await runOps(['audit', 'not-an-id'], out)).toBe(2);
    expect(await runOps(['teleport'], out)).toBe(2);
  });
});
