/**
 * API load in the shape of the original project's JMeter plan: for each level, that many
 * concurrent virtual users, each looping log in → search properties → request a booking,
 * for a fixed time. Accounts and listings are created first, through the API itself.
 *
 * Bounded on purpose: every level stops by itself after `durationSec` (each request also has a
 * timeout, so draining in-flight requests is bounded too), and the only target is the given
 * `apiUrl`, which must be a loopback address (127.0.0.1).
 *
 * Log-in throttling counts every attempt per email and client address and a success clears the
 * count, so with only correct passwords the count never exceeds the log-ins in flight for one
 * account. Virtual users share a pool of travelers (virtual user i logs in as traveler
 * i mod pool); at most `MAX_LOGINS_IN_FLIGHT_PER_ACCOUNT` log-ins of one account run at once
 * (below the server's 5), so no log-in is ever refused. Waiting for that slot is not part of a
 * request's latency (with the default pool size nobody waits).
 *
 * A level counts the requests that started and finished inside its measured window (after the
 * warm-up); requests still in flight when the window closes are awaited but not counted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { requestJson } from '../test/support/http-client.js';

export type ApiLoadKind = 'login' | 'search' | 'booking' | 'all';

export interface ApiLoadResult {
  users: number;
  kind: ApiLoadKind;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers (except an expected 409 on a booking) and network errors or timeouts. */
  errors: number;
  /** Bookings refused with 409 (nights already held): expected under load, not errors. */
  conflicts: number;
}

export interface ApiLoadOptions {
  apiUrl: string;
  users: number[];
  durationSec: number;
  /** Unmeasured load before each level's measured window (default 0). */
  warmupSec?: number;
  log?: (line: string) => void;
  /**
   * Pre-created traveler accounts the virtual users share. Default: 50, or enough that no account
   * has more than `MAX_LOGINS_IN_FLIGHT_PER_ACCOUNT` virtual users (125 for 500 users), so no
   * user ever waits for a log-in slot.
   */
  travelers?: number;
  /** Owners creating the listings (default 4). */
  owners?: number;
  /** Listings, spread over `CITIES` (default 40). */
  properties?: number;
  /** Per-request timeout (default 30 000 ms). */
  requestTimeoutMs?: number;
}

export const CITIES = ['Lisbon', 'Porto', 'Madrid', 'Barcelona'] as const;
export const COUNTRY: Record<(typeof CITIES)[number], string> = {
  Lisbon: 'Portugal',
  Porto: 'Portugal',
  Madrid: 'Spain',
  Barcelona: 'Spain',
};
/** Throwaway accounts of one run: a fresh random password, never one kept in the repository. */
const PASSWORD = randomBytes(12).toString('base64url');
const MAX_LOGINS_IN_FLIGHT_PER_ACCOUNT = 4;
const SETUP_CONCURRENCY = 8;
/** Bookings start this far ahead (days), every stay two nights, one free night between stays. */
const FIRST_CHECK_IN_DAYS = 400;

/**
 * The booking policy the API runs under for this load: virtual users share a few accounts and
 * never decide their requests, so each account piles up PENDING requests far beyond what one
 * person may hold (5, 2 per listing), and check-ins move further ahead with every round. The
 * caps are lifted and the horizon widened; the requests still take their slots (a random one
 * of the many, so a claim stays one insert).
 */
export const LOAD_TEST_POLICY = {
  MAX_PENDING_PER_TRAVELER: '1000000',
  MAX_PENDING_PER_PROPERTY: '1000000',
  BOOKING_HORIZON: '3650d',
};
const STAY_NIGHTS = 2;
const DAY_MS = 86_400_000;

type RequestKind = Exclude<ApiLoadKind, 'all'>;

interface Sample {
  kind: RequestKind;
  ms: number;
  outcome: 'ok' | 'error' | 'conflict';
}

interface Answer {
  status: number;
  body: unknown;
}

/** Only loopback: the load generator must never point at anything else. */
export function assertLoopbackApiUrl(apiUrl: string): URL {
  const url = new URL(apiUrl);
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') {
    throw new Error(`api load only targets http://127.0.0.1:<port>, not ${apiUrl}`);
  }
  return url;
}

function makeClient(apiUrl: string, timeoutMs: number) {
  const base = assertLoopbackApiUrl(apiUrl).origin;
  return function call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<Answer> {
    return requestJson(base, path, { method, ...options, timeoutMs });
  };
}

type Call = ReturnType<typeof makeClient>;

/** Runs `fn` over `items` with at most `limit` at once. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>) {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function expectStatus(answer: Answer, status: number, what: string): Record<string, unknown> {
  if (answer.status !== status) {
    throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body as Record<string, unknown>;
}

interface Fixture {
  travelerEmails: string[];
  properties: { id: string; city: string }[];
}

async function createFixture(call: Call, options: Required<ApiLoadOptions>): Promise<Fixture> {
  const run = randomUUID().slice(0, 8);
  const signUp = async (role: 'traveler' | 'owner', index: number) => {
    const email = `bench-${role}-${run}-${index}@example.com`;
    const body = expectStatus(
      await call('POST', '/api/auth/signup', {
        body: { email, password: PASSWORD, name: `Bench ${role} ${index}`, role },
      }),
      201,
      `sign-up ${email}`,
    );
    return { email, token: body.token as string };
  };
  const owners = await mapLimit(
    Array.from({ length: options.owners }, (_, i) => i),
    SETUP_CONCURRENCY,
    (i) => signUp('owner', i),
  );
  const travelers = await mapLimit(
    Array.from({ length: options.travelers }, (_, i) => i),
    SETUP_CONCURRENCY,
    (i) => signUp('traveler', i),
  );
  const properties = await mapLimit(
    Array.from({ length: options.properties }, (_, i) => i),
    SETUP_CONCURRENCY,
    async (i) => {
      const owner = owners[i % owners.length]!;
      const city = CITIES[i % CITIES.length]!;
      const body = expectStatus(
        await call('POST', '/api/properties', {
          token: owner.token,
          body: {
            name: `Bench stay ${i}`,
            type: i % 2 ? 'apartment' : 'villa',
            city,
            country: COUNTRY[city],
            bedrooms: 1 + (i % 3),
            bathrooms: 1,
            maxGuests: 4,
            pricePerNight: 80 + ((i * 37) % 200),
            cleaningFee: 20,
            serviceFee: 10,
            amenities: ['wifi'],
          },
        }),
        201,
        `property ${i}`,
      );
      return { id: (body.property as { id: string }).id, city };
    },
  );
  return { travelerEmails: travelers.map((t) => t.email), properties };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function summarize(
  users: number,
  kind: ApiLoadKind,
  samples: Sample[],
  seconds: number,
): ApiLoadResult {
  const latencies = samples.map((s) => s.ms).sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    users,
    kind,
    requests: samples.length,
    rps: round(samples.length / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    errors: samples.filter((s) => s.outcome === 'error').length,
    conflicts: samples.filter((s) => s.outcome === 'conflict').length,
  };
}

const isoDay = (days: number) =>
  new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + days * DAY_MS).toISOString().slice(0, 10);

/** Waits for one of an account's log-in slots. */
class AccountSlots {
  private inFlight = new Map<string, number>();
  private waiting = new Map<string, (() => void)[]>();

  async acquire(email: string): Promise<void> {
    while ((this.inFlight.get(email) ?? 0) >= MAX_LOGINS_IN_FLIGHT_PER_ACCOUNT) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(email) ?? [];
        queue.push(resolve);
        this.waiting.set(email, queue);
      });
    }
    this.inFlight.set(email, (this.inFlight.get(email) ?? 0) + 1);
  }

  release(email: string): void {
    this.inFlight.set(email, (this.inFlight.get(email) ?? 1) - 1);
    this.waiting.get(email)?.shift()?.();
  }
}

export async function runApiLoad(options: ApiLoadOptions): Promise<ApiLoadResult[]> {
  const opts: Required<ApiLoadOptions> = {
    warmupSec: 0,
    log: () => {},
    travelers: Math.max(
      50,
      Math.ceil(Math.max(0, ...options.users) / MAX_LOGINS_IN_FLIGHT_PER_ACCOUNT),
    ),
    owners: 4,
    properties: 40,
    requestTimeoutMs: 30_000,
    ...options,
  };
  if (!(opts.durationSec > 0)) throw new Error('durationSec must be positive');
  if (opts.users.some((u) => !Number.isInteger(u) || u < 1)) {
    throw new Error(`users must be positive integers: ${opts.users.join(',')}`);
  }
  const call = makeClient(opts.apiUrl, opts.requestTimeoutMs);

  const setupStarted = Date.now();
  const fixture = await createFixture(call, opts);
  opts.log(
    `api-load: ${opts.travelers} travelers, ${opts.owners} owners, ${opts.properties} properties in ${CITIES.length} cities ready in ${((Date.now() - setupStarted) / 1000).toFixed(1)}s`,
  );

  const slots = new AccountSlots();
  // One counter over the whole run: booking n goes to property n % P, in that property's
  // (n / P)-th two-night slot, so no two requests of this run ask for the same night.
  let bookingCounter = 0;
  const results: ApiLoadResult[] = [];

  for (const users of opts.users) {
    const samples: Sample[] = [];
    const levelStart = Date.now();
    const measureFrom = levelStart + opts.warmupSec * 1000;
    const measureUntil = measureFrom + opts.durationSec * 1000;

    const timed = async (
      kind: RequestKind,
      send: () => Promise<Answer>,
      okStatus: number,
    ): Promise<Answer | undefined> => {
      const started = performance.now();
      const startedAt = Date.now();
      let answer: Answer | undefined;
      let outcome: Sample['outcome'] = 'error';
      try {
        answer = await send();
        if (answer.status === okStatus) outcome = 'ok';
        else if (kind === 'booking' && answer.status === 409) outcome = 'conflict';
      } catch {
        answer = undefined;
      }
      const ms = performance.now() - started;
      // Count a request in the level when it started and ended inside the measured window.
      if (startedAt >= measureFrom && Date.now() <= measureUntil)
        samples.push({ kind, ms, outcome });
      return answer;
    };

    const virtualUser = async (vu: number) => {
      const email = fixture.travelerEmails[vu % fixture.travelerEmails.length]!;
      let token: string | undefined;
      let iteration = 0;
      while (Date.now() < measureUntil) {
        await slots.acquire(email);
        let login: Answer | undefined;
        try {
          if (Date.now() >= measureUntil) break;
          login = await timed(
            'login',
            () => call('POST', '/api/auth/login', { body: { email, password: PASSWORD } }),
            200,
          );
        } finally {
          slots.release(email);
        }
        if (login?.status === 200) token = (login.body as { token: string }).token;
        if (Date.now() >= measureUntil) break;

        const city = CITIES[(vu + iteration) % CITIES.length]!;
        await timed(
          'search',
          () => call('GET', `/api/properties?city=${city}&guests=2&sort=price_asc&limit=20`),
          200,
        );
        if (Date.now() >= measureUntil) break;

        if (token) {
          const n = bookingCounter++;
          const property = fixture.properties[n % fixture.properties.length]!;
          const slot = Math.floor(n / fixture.properties.length);
          const checkInDay = FIRST_CHECK_IN_DAYS + slot * (STAY_NIGHTS + 1);
          const bearer = token;
          await timed(
            'booking',
            () =>
              call('POST', '/api/travelers/bookings', {
                token: bearer,
                body: {
                  propertyId: property.id,
                  checkIn: isoDay(checkInDay),
                  checkOut: isoDay(checkInDay + STAY_NIGHTS),
                  guests: 2,
                },
              }),
            201,
          );
        } else {
          // No session yet (log-in failed): do not spin.
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        iteration++;
      }
    };

    opts.log(
      `api-load: ${users} users, ${opts.warmupSec}s warm-up + ${opts.durationSec}s measured…`,
    );
    await Promise.all(Array.from({ length: users }, (_, vu) => virtualUser(vu)));

    const levelResults = (['login', 'search', 'booking'] as const).map((kind) =>
      summarize(
        users,
        kind,
        samples.filter((s) => s.kind === kind),
        opts.durationSec,
      ),
    );
    levelResults.push(summarize(users, 'all', samples, opts.durationSec));
    for (const r of levelResults) {
      opts.log(
        `api-load: users=${r.users} ${r.kind}: ${r.requests} req, ${r.rps} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, errors ${r.errors}, conflicts ${r.conflicts}`,
      );
    }
    results.push(...levelResults);
  }
  return results;
}

/** The results as a markdown table, one row per level and request kind. */
export function renderApiLoadTable(results: ApiLoadResult[]): string {
  const lines = [
    '| Users | Request | Requests | Req/s | p50 (ms) | p99 (ms) | Errors | Conflicts (409) |',
    '| ----: | ------- | -------: | ----: | -------: | -------: | -----: | --------------: |',
  ];
  for (const r of results) {
    const kind = r.kind === 'all' ? '**all**' : r.kind;
    lines.push(
      `| ${r.users} | ${kind} | ${r.requests} | ${r.rps.toFixed(1)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.errors} | ${r.conflicts} |`,
    );
  }
  return lines.join('\n');
}
