/** A small client for the real HTTP API, plus the actors a booking story needs. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { requestJson, type JsonRequest, type JsonResponse } from './http-client.js';
import { mailbox, type Mailbox } from './mailbox.js';

export type ApiResponse<T = any> = JsonResponse<T>;

/** A call to the integration suite's API (the system under test). */
export function api<T = any>(path: string, options: JsonRequest = {}): Promise<ApiResponse<T>> {
  return requestJson<T>(inject('apiUrl'), path, options);
}

/** The system's local mailbox (Mailpit), where its emails can be read as their recipients would. */
export function localMailbox(): Mailbox {
  const url = inject('mailWebUrl');
  if (!url) throw new Error('this test reads email: give the suite a mailbox (MAIL_WEB_URL)');
  return mailbox(url);
}

export interface Actor {
  id: string;
  token: string;
  email: string;
}

export async function signUp(
  role: 'traveler' | 'owner',
  name = `${role} ${randomUUID().slice(0, 6)}`,
): Promise<Actor> {
  const email = `${role}-${randomUUID()}@example.com`;
  const res = await api('/api/auth/signup', {
    method: 'POST',
    body: { email, password: 'a-long-password', name, role },
  });
  if (res.status !== 201)
    throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, token: res.body.token, email };
}

export async function createProperty(owner: Actor, overrides: Record<string, unknown> = {}) {
  const res = await api('/api/properties', {
    method: 'POST',
    token: owner.token,
    body: {
      name: 'Luxury Beach Villa',
      type: 'villa',
      city: 'Lisbon',
      country: 'Portugal',
      bedrooms: 3,
      bathrooms: 2,
      maxGuests: 6,
      pricePerNight: 250,
      cleaningFee: 60,
      serviceFee: 40,
      ...overrides,
    },
  });
  if (res.status !== 201)
    throw new Error(`property failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.property as { id: string; name: string; ownerId: string };
}

const DAY = 86_400_000;
/** `YYYY-MM-DD`, `days` from today (UTC). */
export function daysFromNow(days: number): string {
  return new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY).toISOString().slice(0, 10);
}

export function requestBooking(
  traveler: Actor,
  stay: { propertyId: string; checkIn: string; checkOut: string; guests: number },
  idempotencyKey?: string,
) {
  return api('/api/travelers/bookings', {
    method: 'POST',
    token: traveler.token,
    body: stay,
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
  });
}
