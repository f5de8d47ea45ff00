/**
 * The full scenario: the real path a booking takes. POST /api/travelers/bookings (answers 201
 * once PENDING is recorded) -> the owner approves over HTTP (booking-updates on Kafka) -> bridge
 * -> workflow signal -> ACCEPTED written to Mongo (seen by an `AcceptedObserver`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { requestJson } from '../test/support/http-client.js';
import { performance } from 'node:perf_hooks';
import { Booking } from '../db/models.js';
import type { AcceptedObserver } from './accepted-observer.js';
import type { SagaSample } from './harness.js';

/** The few answer fields the bench reads. */
export interface HttpBody {
  token?: string;
  user?: { id: string };
  property?: { id: string };
  booking?: { id: string; status: string };
  error?: unknown;
}

export interface HttpResult {
  status: number;
  body: HttpBody | undefined;
}

export function http(
  apiUrl: string,
  path: string,
  options: { method?: string; token?: string; body?: unknown } = {},
): Promise<HttpResult> {
  return requestJson<HttpBody | undefined>(apiUrl, path, options);
}

function expectStatus(res: HttpResult, status: number, what: string): void {
  if (res.status !== status) {
    throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** Throwaway accounts of one run: a fresh random password, never one kept in the repository. */
const BENCH_ACCOUNT_PASSWORD = randomBytes(12).toString('base64url');

async function signUp(apiUrl: string, role: 'owner' | 'traveler') {
  const res = await http(apiUrl, '/api/auth/signup', {
    method: 'POST',
    body: {
      email: `bench-${role}-${randomUUID()}@example.com`,
      password: BENCH_ACCOUNT_PASSWORD,
      name: `Bench ${role}`,
      role,
    },
  });
  expectStatus(res, 201, `sign up ${role}`);
  const { user, token } = res.body ?? {};
  if (!user || !token) throw new Error(`sign up ${role}: no user or token in the answer`);
  return { id: user.id, token };
}

export interface FullPathFixture {
  apiUrl: string;
  ownerToken: string;
  travelerTokens: string[];
  propertyIds: string[];
  /** Days from today of the first night handed out. */
  firstDay: number;
  /** Bookings handed out so far: booking i gets property i % P and night firstDay + ⌊i / P⌋. */
  next: number;
  /** Every booking created, to check they all ended ACCEPTED. */
  bookingIds: string[];
}

/** One owner, a few travelers and a pool of properties, all created through the API. */
export async function prepareFullPath(
  apiUrl: string,
  options: { properties: number; travelers?: number; firstDay?: number },
): Promise<FullPathFixture> {
  const owner = await signUp(apiUrl, 'owner');
  const travelers = await Promise.all(
    Array.from({ length: options.travelers ?? 4 }, () => signUp(apiUrl, 'traveler')),
  );
  const propertyIds: string[] = [];
  for (let i = 0; i < options.properties; i++) {
    const res = await http(apiUrl, '/api/properties', {
      method: 'POST',
      token: owner.token,
      body: {
        name: `Bench Villa ${i}`,
        type: 'villa',
        city: 'Benchville',
        country: 'Portugal',
        bedrooms: 2,
        bathrooms: 1,
        maxGuests: 4,
        pricePerNight: 100,
        cleaningFee: 20,
        serviceFee: 10,
      },
    });
    expectStatus(res, 201, 'create property');
    const id = res.body?.property?.id;
    if (!id) throw new Error('create property: no id in the answer');
    propertyIds.push(id);
  }
  return {
    apiUrl,
    ownerToken: owner.token,
    travelerTokens: travelers.map((t) => t.token),
    propertyIds,
    firstDay: options.firstDay ?? 30,
    next: 0,
    bookingIds: [],
  };
}

const DAY_MS = 86_400_000;
function dayFromNow(days: number): string {
  return new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + days * DAY_MS)
    .toISOString()
    .slice(0, 10);
}

export interface FullSaga {
  bookingId: string;
  sample: SagaSample;
}

/** One booking along the real path, from request to ACCEPTED visible in Mongo. */
export async function runFullSaga(
  fixture: FullPathFixture,
  watcher: AcceptedObserver,
): Promise<FullSaga> {
  const i = fixture.next++;
  const pool = fixture.propertyIds.length;
  const day = fixture.firstDay + Math.floor(i / pool);
  const { apiUrl } = fixture;
  const t0 = performance.now();
  const created = await http(apiUrl, '/api/travelers/bookings', {
    method: 'POST',
    token: fixture.travelerTokens[i % fixture.travelerTokens.length],
    body: {
      propertyId: fixture.propertyIds[i % pool],
      checkIn: dayFromNow(day),
      checkOut: dayFromNow(day + 1),
      guests: 2,
    },
  });
  const t1 = performance.now();
  expectStatus(created, 201, 'request booking');
  const booking = created.body?.booking;
  if (!booking) throw new Error('request booking: no booking in the answer');
  const bookingId = booking.id;
  fixture.bookingIds.push(bookingId);
  if (booking.status !== 'PENDING') {
    throw new Error(`booking ${bookingId} answered ${booking.status}`);
  }
  const t2 = performance.now();
  const accepted = watcher.waitFor(bookingId);
  const decided = await http(apiUrl, `/api/owners/bookings/${bookingId}/approve`, {
    method: 'PUT',
    token: fixture.ownerToken,
    body: {},
  });
  if (decided.status !== 202) {
    accepted.catch(() => undefined);
    expectStatus(decided, 202, 'approve booking');
  }
  const t3 = await accepted;
  return {
    bookingId,
    sample: { requestToPendingMs: t1 - t0, decisionToDoneMs: t3 - t2, endToEndMs: t3 - t0 },
  };
}

/** The ids among `bookingIds` whose booking is not ACCEPTED in Mongo (empty: all are). */
export async function notAccepted(bookingIds: readonly string[]): Promise<string[]> {
  const accepted = new Set<string>();
  for (let i = 0; i < bookingIds.length; i += 500) {
    const chunk = bookingIds.slice(i, i + 500);
    const docs = await Booking.find({ _id: { $in: chunk }, status: 'ACCEPTED' }, { _id: 1 })
      .lean()
      .exec();
    for (const d of docs) accepted.add(String(d._id));
  }
  return bookingIds.filter((id) => !accepted.has(id));
}
