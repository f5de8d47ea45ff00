import { describe, expect, it } from 'vitest';
import {
  MAX_INPUT_PIXELS,
  MAX_PHOTO_BYTES,
  photoOrderProblem,
  photoUrls,
  sniffImageFormat,
  uploadProblem,
} from '../../domain/photos.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const JPEG = bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10);
const PNG = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d);
const WEBP = Uint8Array.from(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'));

describe('what an upload is, by its first bytes', () => {
  it('recognises JPEG, PNG and WebP signatures and nothing else', () => {
    expect(sniffImageFormat(JPEG)).toBe('jpeg');
    expect(sniffImageFormat(PNG)).toBe('png');
    expect(sniffImageFormat(WEBP)).toBe('webp');
    for (const other of [
      Buffer.from('GIF89a'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'),
      Buffer.from('hello.jpg'),
      bytes(0xff, 0xd8),
      bytes(),
    ]) {
      expect(sniffImageFormat(other)).toBeNull();
    }
  });

  it('refuses too many bytes, a wrong signature, a decoder that disagrees, too many pixels', () => {
    expect(uploadProblem(new Uint8Array(MAX_PHOTO_BYTES + 1))).toBe('too_large');
    expect(uploadProblem(Buffer.from('not an image'))).toBe('not_an_image');
    expect(uploadProblem(JPEG)).toBeNull();
    expect(uploadProblem(JPEG, { format: 'jpeg', width: 4000, height: 3000 })).toBeNull();
    expect(uploadProblem(PNG, { format: 'svg', width: 10, height: 10 })).toBe('not_an_image');
    expect(uploadProblem(PNG, { format: 'png', width: 0, height: 10 })).toBe('not_an_image');
    expect(uploadProblem(PNG, { format: 'png', width: 30_000, height: 30_000 })).toBe(
      'too_many_pixels',
    );
    const side = Math.floor(Math.sqrt(MAX_INPUT_PIXELS));
    expect(uploadProblem(PNG, { format: 'png', width: side, height: side })).toBeNull();
  });
});

describe('the order of a listing’s photos', () => {
  const current = ['a', 'b', 'c'];

  it('takes any permutation of the current photos', () => {
    expect(photoOrderProblem(current, ['c', 'a', 'b'])).toBeNull();
    expect(photoOrderProblem([], [])).toBeNull();
  });

  it('says what is missing, unknown or repeated otherwise', () => {
    expect(photoOrderProblem(current, ['a', 'b'])).toEqual({
      missing: ['c'],
      unknown: [],
      duplicates: [],
    });
    expect(photoOrderProblem(current, ['a', 'b', 'c', 'd'])).toEqual({
      missing: [],
      unknown: ['d'],
      duplicates: [],
    });
    expect(photoOrderProblem(current, ['a', 'a', 'b', 'c'])).toEqual({
      missing: [],
      unknown: [],
      duplicates: ['a'],
    });
  });
});

it('serves every photo at /api/photos/:id in three sizes', () => {
  expect(photoUrls('abc')).toEqual({
    thumb: '/api/photos/abc?size=thumb',
    card: '/api/photos/abc?size=card',
    full: '/api/photos/abc?size=full',
  });
});
