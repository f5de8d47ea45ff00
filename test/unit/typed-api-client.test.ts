import { describe, expect, expectTypeOf, it } from 'vitest';
import { createApiClient } from '../../api/client.js';

describe('the typed API client', () => {
  it('calls a route with typed parameters and reads a typed answer', async () => {
    const requests: Request[] = [];
    const fakeFetch = (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      requests.push(new Request(input, init));
      return Promise.resolve(Response.json({ properties: [], page: 1, limit: 10, total: 0 }));
    };
    const client = createApiClient('http://api.test', fakeFetch);

    const response = await client.api.properties.$get({ query: { city: 'lis', limit: 10 } });
    expect(requests[0]?.url).toBe('http://api.test/api/properties?city=lis&limit=10');
    if (response.status !== 200) throw new Error(`unexpected ${response.status}`);
    const page = await response.json();
    expect(page.total).toBe(0);
    expectTypeOf(page.total).toEqualTypeOf<number>();
    expectTypeOf<(typeof page)['properties'][number]['pricePerNight']>().toEqualTypeOf<number>();

    // Paths, parameters and bodies are checked by the compiler.
    expectTypeOf(client.api.bookings[':id'].$get).toBeCallableWith({ param: { id: 'x' } });
    const post = client.api.travelers.bookings.$post;
    const stay = { propertyId: '0123456789abcdef01234567', checkIn: '2031-01-01', guests: 4 };
    expectTypeOf(post).toBeCallableWith({ header: {}, json: { ...stay, checkOut: '2031-01-05' } });
    const withoutCheckOut = { header: {}, json: stay };
    // @ts-expect-error: a booking request needs its check-out date
    expectTypeOf(post).toBeCallableWith(withoutCheckOut);
  });
});
