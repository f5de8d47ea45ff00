import { describe, expect, it } from 'vitest';
import { allowedMethods } from '../../api/allowed-methods.js';
import { refusalFor } from '../../api/client-errors.js';
import { hasForbiddenCharacters } from '../../domain/text.js';

describe('the methods a path serves', () => {
  const routes = [
    { method: 'ALL', path: '*' },
    { method: 'GET', path: '/api/properties' },
    { method: 'POST', path: '/api/properties' },
    { method: 'GET', path: '/api/properties/:id' },
    { method: 'PUT', path: '/api/properties/:id' },
    { method: 'GET', path: '/docs/assets/:file' },
  ];

  it('come from the route table, HEAD with GET, middleware left out', () => {
    expect(allowedMethods(routes, '/api/properties')).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowedMethods(routes, '/api/properties/abc')).toEqual(['GET', 'HEAD', 'PUT']);
    expect(allowedMethods(routes, '/docs/assets/swagger-ui.css')).toEqual(['GET', 'HEAD']);
  });

  it('are none for a path no route matches, one segment more or less included', () => {
    expect(allowedMethods(routes, '/api/nowhere')).toEqual([]);
    expect(allowedMethods(routes, '/api/properties/abc/photos')).toEqual([]);
    expect(allowedMethods(routes, '/api')).toEqual([]);
  });

  it('are those of the concrete path where a templated one matches too', () => {
    const photos = [
      { method: 'PUT', path: '/api/properties/:id/photos/order' },
      { method: 'DELETE', path: '/api/properties/:id/photos/:photoId' },
    ];
    expect(allowedMethods(photos, '/api/properties/abc/photos/order')).toEqual(['PUT']);
    expect(allowedMethods(photos, '/api/properties/abc/photos/def')).toEqual(['DELETE']);
  });
});

describe('requests the HTTP parser refuses', () => {
  const overflow = (raw: string) =>
    Object.assign(new Error('Header overflow'), {
      code: 'HPE_HEADER_OVERFLOW',
      rawPacket: Buffer.from(raw),
    });

  it('blame a long URL on the URL and long headers on the headers', () => {
    expect(refusalFor(overflow(`GET /?q=${'a'.repeat(20_000)} HTTP/1.1\r\n`)).status).toBe(414);
    expect(refusalFor(overflow(`GET /?q=${'a'.repeat(20_000)}`)).status).toBe(414);
    const headers = `GET / HTTP/1.1\r\nX-Padding: ${'b'.repeat(20_000)}\r\n`;
    expect(refusalFor(overflow(headers))).toMatchObject({ status: 431, code: 'headers_too_large' });
  });

  it('answer anything else the parser refuses with 400', () => {
    const garbage = Object.assign(new Error('Invalid method'), { code: 'HPE_INVALID_METHOD' });
    expect(refusalFor(garbage)).toMatchObject({ status: 400, code: 'bad_request' });
  });
});

describe('characters nobody types into a name', () => {
  it.each([
    'Villa\u0000',
    'Lis\u0007bon',
    'Tom\u001b[31m',
    'a\u007fb',
    'x\u0085y',
    'Lisbon\u202Egpj',
    '\u2066x',
    'no \ud800 pair',
  ])('%j is refused', (text) => {
    expect(hasForbiddenCharacters(text)).toBe(true);
  });

  it('allows line breaks and tabs only in multi-line text, and every real character anywhere', () => {
    expect(hasForbiddenCharacters('two\nlines')).toBe(true);
    expect(hasForbiddenCharacters('two\nlines\tand\r\nmore', { multiline: true })).toBe(false);
    expect(hasForbiddenCharacters('São Miguel · Ærø · 東京 · تل أبيب · 🏖️')).toBe(false);
    expect(hasForbiddenCharacters('NUL\u0000', { multiline: true })).toBe(true);
  });
});
