/**
 * Every answer is our JSON error shape, including requests refused by Node's HTTP parser before
 * Hono sees them (a 20 kB query string, oversized headers, bytes that are not HTTP), and a known
 * path asked with a method it does not serve (405 with Allow, not "no route").
 */
import { connect } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { api } from '../support/api-client.js';

/** Sends raw bytes to the API and returns everything it answers before closing. */
function rawExchange(request: string): Promise<string> {
  const { hostname, port } = new URL(inject('apiUrl'));
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
  });
}

function parse(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as unknown };
}

describe('requests the HTTP parser refuses', () => {
  it('a 20 kB query string: 414 with a JSON error', async () => {
    const res = await api(`/api/properties?city=${'a'.repeat(20_000)}`);
    expect(res.status).toBe(414);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.body).toEqual({
      error: { code: 'uri_too_long', message: 'The URL is too long (8 KiB at most)' },
    });
  });

  it('20 kB of headers: 431 with a JSON error', async () => {
    const res = await api('/api/properties', { headers: { 'x-padding': 'b'.repeat(20_000) } });
    expect(res.status).toBe(431);
    expect(res.body.error.code).toBe('headers_too_large');
  });

  it('bytes that are not HTTP: 400 with a JSON error', async () => {
    const answer = parse(await rawExchange('HELLO THERE\r\n\r\n'));
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body).toMatchObject({ error: { code: 'bad_request' } });
  });
});

describe('a method a known path does not serve', () => {
  it('answers 405 with the methods it does serve in Allow', async () => {
    const res = await api('/api/properties', { method: 'PATCH' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(res.body.error).toEqual({
      code: 'method_not_allowed',
      message: 'PATCH is not served at /api/properties; use GET, HEAD, POST',
    });
    const one = await api(`/api/properties/${'a'.repeat(24)}`, { method: 'POST' });
    expect(one.status).toBe(405);
    expect(one.headers.get('allow')).toBe('DELETE, GET, HEAD, PUT');
    const unknown = await api('/api/nowhere', { method: 'PATCH' });
    expect(unknown.status).toBe(404);
  });
});
