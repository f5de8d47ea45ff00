/**
 * Photos on the real stack (issue 12): owners upload, order and delete the photos of their
 * listings, anyone fetches them in three sizes (WebP, every metadata block gone, a strong ETag,
 * cached for good), users upload avatars. Every size is a GridFS file on the Mongo-wire server
 * the suite runs (FerretDB unless a mongod is on PATH). Bad uploads are clear 4xx answers.
 */
import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { crc32, deflateSync } from 'node:zlib';
import mongoose from 'mongoose';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Photo, Property } from '../../db/models.js';
import { api, createProperty, signUp, type Actor } from '../support/api-client.js';
import { connectTestDatabase, disconnectTestDatabase } from '../support/stack-clients.js';

let owner: Actor;
let otherOwner: Actor;
let traveler: Actor;

beforeAll(async () => {
  await connectTestDatabase();
  [owner, otherOwner, traveler] = await Promise.all([
    signUp('owner'),
    signUp('owner'),
    signUp('traveler'),
  ]);
});

afterAll(async () => {
  await disconnectTestDatabase();
});

// ---------------------------------------------------------------------------------------------
// Images and requests
// ---------------------------------------------------------------------------------------------

/** A JPEG shot "in Porto": EXIF with a GPS position and orientation 6 (turn 90° to view). */
function jpegWithGps(width = 1600, height = 1200) {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 90, b: 40 } } })
    .withIccProfile('p3')
    .withMetadata({ orientation: 6 })
    .withExifMerge({
      IFD0: { Copyright: 'Olivia' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '41/1 9/1 0/1',
        GPSLongitudeRef: 'W',
        GPSLongitude: '8/1 36/1 0/1',
      },
    })
    .jpeg({ quality: 85 })
    .toBuffer();
}

function png(width: number, height: number) {
  return sharp({
    create: { width, height, channels: 4, background: { r: 20, g: 120, b: 220, alpha: 0.5 } },
  })
    .png()
    .toBuffer();
}

/** A photo-like 4000 x 3000 JPEG (smooth shapes and some grain), a few MB. */
async function bigJpeg(width = 4000, height = 3000) {
  const raw = Buffer.alloc(width * height * 3);
  let seed = 7;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const grain = (seed >> 16) % 24;
      const i = (y * width + x) * 3;
      raw[i] = ((x / width) * 200 + grain) | 0;
      raw[i + 1] = ((y / height) * 180 + grain) | 0;
      raw[i + 2] = (Math.sin(x / 60) * Math.cos(y / 45) * 100 + 120 + grain) | 0;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 88 })
    .toBuffer();
}

/** A valid 1-bit PNG of 30000 x 30000 pixels (900 megapixels) in about 100 KB. */
function pngBomb(side = 30_000) {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.alloc(side * (1 + Math.ceil(side / 8)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

interface Upload {
  bytes?: Uint8Array;
  filename?: string;
  type?: string;
  field?: string;
}

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

const url = (path: string) => `${inject('apiUrl')}${path}`;

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: response.status, body, headers: response.headers };
}

async function sendForm(
  method: string,
  path: string,
  token: string | undefined,
  upload: Upload,
): Promise<Answer> {
  const form = new FormData();
  if (upload.bytes) {
    const blob = new Blob([upload.bytes], { type: upload.type ?? 'application/octet-stream' });
    form.append(upload.field ?? 'photo', blob, upload.filename ?? 'photo.jpg');
  } else {
    form.append('caption', 'no photo here');
  }
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return answerOf(await fetch(url(path), { method, headers, body: form }));
}

const uploadPhoto = (propertyId: string, token: string | undefined, upload: Upload) =>
  sendForm('POST', `/api/properties/${propertyId}/photos`, token, upload);

const uploadAvatar = (token: string, upload: Upload) =>
  sendForm('PUT', '/api/auth/profile/avatar', token, upload);

async function fetchImage(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(url(path), { headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const gridFs = () => {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  return {
    files: db.collection('photo_files.files'),
    chunks: db.collection('photo_files.chunks'),
    bucket: new mongoose.mongo.GridFSBucket(db, { bucketName: 'photo_files' }),
  };
};

/** The GridFS files of a photo, and how many chunks they have. */
async function storedFilesOf(photoId: string) {
  const { files, chunks } = gridFs();
  const found = await files.find({ 'metadata.photoId': photoId }).toArray();
  const chunkCount = await chunks.countDocuments({ files_id: { $in: found.map((f) => f._id) } });
  return { files: found, chunkCount };
}

// ---------------------------------------------------------------------------------------------

describe('an owner adds photos to a listing', () => {
  let propertyId: string;
  let jpegId: string;
  let pngId: string;
  let jpegSource: Buffer;

  beforeAll(async () => {
    propertyId = (await createProperty(owner)).id;
    jpegSource = await jpegWithGps();
  });

  it('takes a JPEG and a PNG, answering the photo and the ordered list', async () => {
    const jpeg = await uploadPhoto(propertyId, owner.token, {
      bytes: jpegSource,
      filename: 'IMG_0001.JPG',
      type: 'image/jpeg',
    });
    expect(jpeg.status, JSON.stringify(jpeg.body)).toBe(201);
    jpegId = jpeg.body.photo.id;
    // Turned upright by its EXIF orientation (1600 x 1200 shot sideways), never enlarged.
    expect(jpeg.body.photo).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      width: 1200,
      height: 1600,
      urls: {
        thumb: `/api/photos/${jpegId}?size=thumb`,
        card: `/api/photos/${jpegId}?size=card`,
        full: `/api/photos/${jpegId}?size=full`,
      },
    });
    expect(jpeg.body.photos).toEqual([jpeg.body.photo]);

    // A declared type and name that say nothing true: the content decides.
    const second = await uploadPhoto(propertyId, owner.token, {
      bytes: await png(1000, 600),
      filename: 'holiday.gif',
      type: 'text/plain',
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    pngId = second.body.photo.id;
    expect(second.body.photo).toMatchObject({ width: 1000, height: 600 });
    expect(second.body.photos.map((p: { id: string }) => p.id)).toEqual([jpegId, pngId]);

    const read = await api(`/api/properties/${propertyId}`);
    expect(read.body.property.photos).toEqual(second.body.photos);
    expect(read.body.property.coverPhotoUrl).toBe(`/api/photos/${jpegId}?size=card`);
    expect(read.body.property.images).toEqual([]);
  });

  it('serves each size as WebP of the expected width, upright, without any metadata', async () => {
    const source = await sharp(jpegSource).metadata();
    // The source does carry a GPS position (EXIF tag 0x8825, little-endian) and a profile.
    expect(source.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(true);
    expect(source.exif?.toString('latin1')).toContain('Olivia');
    expect(source.icc).toBeDefined();

    const expected = {
      [jpegId]: { thumb: [320, 427], card: [800, 1067], full: [1200, 1600] },
      [pngId]: { thumb: [320, 192], card: [800, 480], full: [1000, 600] },
    };
    for (const [photoId, sizes] of Object.entries(expected)) {
      for (const [size, [width, height]] of Object.entries(sizes)) {
        const image = await fetchImage(`/api/photos/${photoId}?size=${size}`);
        expect(image.status).toBe(200);
        expect(image.headers.get('content-type')).toBe('image/webp');
        const served = await sharp(image.bytes).metadata();
        expect({ size, format: served.format, width: served.width, height: served.height }).toEqual(
          { size, format: 'webp', width, height },
        );
        expect({ exif: served.exif, xmp: served.xmp, icc: served.icc, iptc: served.iptc }).toEqual({
          exif: undefined,
          xmp: undefined,
          icc: undefined,
          iptc: undefined,
        });
        expect(image.bytes.includes(Buffer.from('Olivia'))).toBe(false);
      }
    }
    // Without ?size= the card size.
    const card = await fetchImage(`/api/photos/${pngId}?size=card`);
    const byDefault = await fetchImage(`/api/photos/${pngId}`);
    expect(byDefault.status).toBe(200);
    expect(byDefault.bytes.equals(card.bytes)).toBe(true);
  });

  it('serves with a strong ETag, cached for good, and 304 for a copy already held', async () => {
    const image = await fetchImage(`/api/photos/${jpegId}?size=thumb`);
    const etag = image.headers.get('etag');
    expect(etag).toBe(`"${sha256(image.bytes)}"`);
    expect(image.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');

    for (const ifNoneMatch of [etag!, `W/${etag!}`, `"something-else", ${etag!}`, '*']) {
      const again = await fetchImage(`/api/photos/${jpegId}?size=thumb`, {
        'if-none-match': ifNoneMatch,
      });
      expect({ ifNoneMatch, status: again.status, length: again.bytes.length }).toEqual({
        ifNoneMatch,
        status: 304,
        length: 0,
      });
      expect(again.headers.get('etag')).toBe(etag);
    }
    const otherSize = await fetchImage(`/api/photos/${jpegId}?size=card`, {
      'if-none-match': etag!,
    });
    expect(otherSize.status).toBe(200);
    expect(otherSize.headers.get('etag')).not.toBe(etag);
  });

  it('stores each size once, as GridFS files the driver’s GridFSBucket reads', async () => {
    const { files, chunkCount } = await storedFilesOf(jpegId);
    expect(files.map((f) => f.metadata?.size).sort()).toEqual(['card', 'full', 'thumb']);
    expect(chunkCount).toBeGreaterThanOrEqual(3);
    const full = files.find((f) => f.metadata?.size === 'full')!;
    const served = await fetchImage(`/api/photos/${jpegId}?size=full`);
    const read = await buffer(gridFs().bucket.openDownloadStream(full._id));
    expect(read.equals(served.bytes)).toBe(true);
    expect(full.length).toBe(served.bytes.length);
    // Only the sizes: no original (with its GPS position) is kept.
    const photo = await Photo.findById(jpegId).lean();
    expect(Object.keys(photo!.sizes!).sort()).toEqual(['card', 'full', 'thumb']);
  });

  it('reorders the photos: the first is the cover', async () => {
    const reordered = await api(`/api/properties/${propertyId}/photos/order`, {
      method: 'PUT',
      token: owner.token,
      body: { photoIds: [pngId, jpegId] },
    });
    expect(reordered.status).toBe(200);
    expect(reordered.body.photos.map((p: { id: string }) => p.id)).toEqual([pngId, jpegId]);
    const read = await api(`/api/properties/${propertyId}`);
    expect(read.body.property.coverPhotoUrl).toBe(`/api/photos/${pngId}?size=card`);
    expect(read.body.property.photos).toEqual(reordered.body.photos);

    const unknown = new mongoose.Types.ObjectId().toHexString();
    const refusals = [
      { photoIds: [pngId], status: 422, code: 'invalid_photo_order' },
      { photoIds: [pngId, pngId], status: 422, code: 'invalid_photo_order' },
      { photoIds: [pngId, jpegId, unknown], status: 422, code: 'invalid_photo_order' },
      { photoIds: [], status: 422, code: 'invalid_photo_order' },
      { photoIds: 'all', status: 400, code: 'validation_failed' },
      { photoIds: ['nope'], status: 400, code: 'validation_failed' },
    ];
    for (const { photoIds, status, code } of refusals) {
      const res = await api(`/api/properties/${propertyId}/photos/order`, {
        method: 'PUT',
        token: owner.token,
        body: { photoIds },
      });
      expect({ photoIds, status: res.status, code: res.body?.error?.code }).toEqual({
        photoIds,
        status,
        code,
      });
    }
    const missing = await api(`/api/properties/${propertyId}/photos/order`, {
      method: 'PUT',
      token: owner.token,
      body: { photoIds: [pngId, unknown] },
    });
    expect(missing.body.error.details).toEqual({
      missing: [jpegId],
      unknown: [unknown],
      duplicates: [],
    });
    const other = await api(`/api/properties/${propertyId}/photos/order`, {
      method: 'PUT',
      token: otherOwner.token,
      body: { photoIds: [jpegId, pngId] },
    });
    expect(other.status).toBe(403);
    // Unchanged by the refusals.
    const after = await api(`/api/properties/${propertyId}`);
    expect(after.body.property.coverPhotoUrl).toBe(`/api/photos/${pngId}?size=card`);

    // The order is a resource of its own, not a photo whose id is `order`.
    for (const method of ['DELETE', 'OPTIONS', 'GET']) {
      const res = await api(`/api/properties/${propertyId}/photos/order`, {
        method,
        token: owner.token,
      });
      expect({ method, status: res.status, allow: res.headers.get('allow') }).toEqual({
        method,
        status: 405,
        allow: 'PUT',
      });
    }
  });

  it('deletes a photo: every size gone, not served any more', async () => {
    const remove = (token: string, photoId: string, id = propertyId) =>
      api(`/api/properties/${id}/photos/${photoId}`, { method: 'DELETE', token });
    expect((await remove(otherOwner.token, pngId)).status).toBe(403);
    expect((await remove(traveler.token, pngId)).status).toBe(403);
    const elsewhere = (await createProperty(owner)).id;
    expect((await remove(owner.token, pngId, elsewhere)).status).toBe(404);

    const deleted = await remove(owner.token, pngId);
    expect(deleted.status).toBe(204);
    for (const size of ['thumb', 'card', 'full']) {
      const gone = await api(`/api/photos/${pngId}?size=${size}`);
      expect(gone.status).toBe(404);
      expect(gone.body.error.code).toBe('not_found');
    }
    expect(await storedFilesOf(pngId)).toEqual({ files: [], chunkCount: 0 });
    expect(await Photo.exists({ _id: pngId })).toBeNull();
    const read = await api(`/api/properties/${propertyId}`);
    expect(read.body.property.photos.map((p: { id: string }) => p.id)).toEqual([jpegId]);
    expect(read.body.property.coverPhotoUrl).toBe(`/api/photos/${jpegId}?size=card`);
    expect((await remove(owner.token, pngId)).status).toBe(404);
  });

  it('answers 400 for a bad size or id and 404 JSON for an unknown photo', async () => {
    const cases = [
      { path: `/api/photos/${jpegId}?size=huge`, status: 400, code: 'validation_failed' },
      { path: `/api/photos/${jpegId}?size=`, status: 400, code: 'validation_failed' },
      { path: `/api/photos/${jpegId}?width=10`, status: 400, code: 'validation_failed' },
      { path: '/api/photos/not-an-id', status: 400, code: 'validation_failed' },
      {
        path: `/api/photos/${new mongoose.Types.ObjectId().toHexString()}`,
        status: 404,
        code: 'not_found',
      },
    ];
    for (const { path, status, code } of cases) {
      const res = await api(path);
      expect({ path, status: res.status, code: res.body?.error?.code }).toEqual({
        path,
        status,
        code,
      });
      expect(res.headers.get('content-type')).toContain('application/json');
    }
  });
});

describe('who may upload', () => {
  it('only the listing’s owner: 403 for another owner and a traveler, 401, 404', async () => {
    const property = await createProperty(owner);
    const bytes = await png(64, 48);
    const cases = [
      { token: otherOwner.token, id: property.id, status: 403, code: 'forbidden' },
      { token: traveler.token, id: property.id, status: 403, code: 'forbidden' },
      { token: undefined, id: property.id, status: 401, code: 'unauthenticated' },
      {
        token: owner.token,
        id: new mongoose.Types.ObjectId().toHexString(),
        status: 404,
        code: 'not_found',
      },
      { token: owner.token, id: 'not-an-id', status: 400, code: 'validation_failed' },
    ];
    for (const { token, id, status, code } of cases) {
      const res = await uploadPhoto(id, token, { bytes });
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
    }
    expect((await Property.findById(property.id).lean())?.photos).toEqual([]);
    expect(await Photo.countDocuments({ propertyId: property.id })).toBe(0);
  });
});

describe('bad uploads are refused with a clear 4xx, never a 5xx', () => {
  let propertyId: string;

  beforeAll(async () => {
    propertyId = (await createProperty(owner)).id;
  });

  it('refuses what is not a JPEG, PNG or WebP by its content, whatever its name', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>';
    const cases: { name: string; upload: Upload }[] = [
      {
        name: 'text named x.jpg',
        upload: { bytes: Buffer.from('hello, I am text'), filename: 'x.jpg', type: 'image/jpeg' },
      },
      { name: 'SVG named .png', upload: { bytes: Buffer.from(svg), filename: 'x.png' } },
      {
        name: 'a JPEG signature then garbage',
        upload: {
          bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 1)]),
        },
      },
      {
        name: 'a PNG signature before a GIF',
        upload: {
          bytes: Buffer.concat([
            Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
            await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } })
              .gif()
              .toBuffer(),
          ]),
        },
      },
      {
        name: 'a GIF',
        upload: {
          bytes: await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } })
            .gif()
            .toBuffer(),
          filename: 'x.png',
          type: 'image/png',
        },
      },
      {
        name: 'a truncated JPEG',
        upload: await bigJpeg(400, 300).then((whole) => ({
          bytes: whole.subarray(0, whole.length / 2),
        })),
      },
      { name: 'an empty file', upload: { bytes: Buffer.alloc(0) } },
    ];
    for (const { name, upload } of cases) {
      const res = await uploadPhoto(propertyId, owner.token, upload);
      expect({ name, status: res.status, code: res.body?.error?.code }).toEqual({
        name,
        status: 422,
        code: 'unsupported_image',
      });
    }
    expect(await Photo.countDocuments({ propertyId })).toBe(0);
  });

  it('refuses a photo over 10 MiB with 413, sent with or without a Content-Length', async () => {
    const eleven = Buffer.alloc(11 * 1024 * 1024, 7);
    const sized = await uploadPhoto(propertyId, owner.token, {
      bytes: eleven,
      filename: 'big.jpg',
    });
    expect(sized.status).toBe(413);
    expect(sized.body.error.code).toBe('photo_too_large');

    // Just over 10 MiB: within the multipart allowance, refused by the photo's own size.
    const justOver = await uploadPhoto(propertyId, owner.token, {
      bytes: Buffer.alloc(10 * 1024 * 1024 + 1, 7),
    });
    expect({ status: justOver.status, code: justOver.body?.error?.code }).toEqual({
      status: 413,
      code: 'photo_too_large',
    });

    // Chunked, no Content-Length: the limit counts the bytes as they arrive.
    const form = new FormData();
    form.append('photo', new Blob([eleven]), 'big.jpg');
    const encoded = new Response(form);
    const chunked = await answerOf(
      await fetch(url(`/api/properties/${propertyId}/photos`), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${owner.token}`,
          'content-type': encoded.headers.get('content-type')!,
        },
        body: encoded.body,
        duplex: 'half',
      }),
    );
    expect({ status: chunked.status, code: chunked.body?.error?.code }).toEqual({
      status: 413,
      code: 'photo_too_large',
    });
  });

  it('refuses a decompression bomb before decoding it', async () => {
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const started = performance.now();
    const res = await uploadPhoto(propertyId, owner.token, { bytes: bomb, filename: 'bomb.png' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('image_too_large_in_pixels');
    expect(res.body.error.message).toContain('30000 x 30000');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('answers 415 for a body that is not multipart and 400 for broken or empty forms', async () => {
    const post = (contentType: string, body: string | Uint8Array) =>
      fetch(url(`/api/properties/${propertyId}/photos`), {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.token}`, 'content-type': contentType },
        body,
      }).then(answerOf);
    const jpeg = await png(10, 10);
    const cases = [
      { res: await post('application/json', '{"photo":"x"}'), status: 415 },
      { res: await post('image/png', jpeg), status: 415 },
      { res: await post('application/x-www-form-urlencoded', 'photo=x'), status: 415 },
      {
        res: await post('multipart/form-data; boundary=abc', 'this is not multipart at all'),
        status: 400,
      },
      {
        res: await post('multipart/form-data; boundary=abc', '--abc\r\nContent-Disposition: form'),
        status: 400,
      },
      { res: await uploadPhoto(propertyId, owner.token, {}), status: 400 },
      {
        res: await uploadPhoto(propertyId, owner.token, { bytes: jpeg, field: 'image' }),
        status: 400,
      },
    ];
    for (const [i, { res, status }] of cases.entries()) {
      expect({ i, status: res.status, error: typeof res.body?.error?.code }).toEqual({
        i,
        status,
        error: 'string',
      });
    }
    const textField = new FormData();
    textField.append('photo', 'just text');
    const text = await answerOf(
      await fetch(url(`/api/properties/${propertyId}/photos`), {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.token}` },
        body: textField,
      }),
    );
    expect(text.status).toBe(400);
    expect(text.body.error.message).toContain('must be a file');
  });

  it('keeps at most 20 photos, even when 22 arrive at once', async () => {
    const full = (await createProperty(owner)).id;
    const bytes = await png(40, 30);
    const answers = await Promise.all(
      Array.from({ length: 22 }, () => uploadPhoto(full, owner.token, { bytes })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(20).fill(201), 409, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.body.error.code).toBe('too_many_photos');
    const read = await api(`/api/properties/${full}`);
    expect(read.body.property.photos).toHaveLength(20);
    // Nothing left over of the refused ones.
    expect(await Photo.countDocuments({ propertyId: full })).toBe(20);

    const twentyFirst = await uploadPhoto(full, owner.token, { bytes });
    expect({ status: twentyFirst.status, code: twentyFirst.body?.error?.code }).toEqual({
      status: 409,
      code: 'too_many_photos',
    });
  });

  it('does not let the JSON body limit apply to uploads, nor the upload limit to JSON', async () => {
    const property = await createProperty(owner);
    // A 1 MB photo is far over BODY_LIMIT_BYTES (64 KiB) and accepted.
    const noisy = await sharp(
      Buffer.alloc(700 * 700 * 3).map(() => Math.random() * 256),
      {
        raw: { width: 700, height: 700, channels: 3 },
      },
    )
      .png()
      .toBuffer();
    expect(noisy.length).toBeGreaterThan(1_000_000);
    const res = await uploadPhoto(property.id, owner.token, { bytes: noisy });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // The same sent in chunks, without a Content-Length.
    const form = new FormData();
    form.append('photo', new Blob([noisy]), 'noisy.png');
    const encoded = new Response(form);
    const chunked = await fetch(url(`/api/properties/${property.id}/photos`), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${owner.token}`,
        'content-type': encoded.headers.get('content-type') ?? '',
      },
      body: encoded.body,
      duplex: 'half',
    });
    expect(chunked.status).toBe(201);
    const json = await api(`/api/properties/${property.id}`, {
      method: 'PUT',
      token: owner.token,
      body: { description: 'x'.repeat(100 * 1024) },
    });
    expect(json.status).toBe(413);
    expect(json.body.error.code).toBe('body_too_large');
  });
});

describe('deleting a listing', () => {
  it('deletes its photos: documents and GridFS files', async () => {
    const property = await createProperty(owner);
    const ids: string[] = [];
    for (const bytes of [await png(200, 100), await jpegWithGps(300, 200)]) {
      const res = await uploadPhoto(property.id, owner.token, { bytes });
      expect(res.status).toBe(201);
      ids.push(res.body.photo.id);
    }
    for (const id of ids) {
      expect((await storedFilesOf(id)).files).toHaveLength(3);
      expect((await fetchImage(`/api/photos/${id}?size=thumb`)).status).toBe(200);
    }

    const deleted = await api(`/api/properties/${property.id}`, {
      method: 'DELETE',
      token: owner.token,
    });
    expect(deleted.status).toBe(204);
    for (const id of ids) {
      expect((await api(`/api/photos/${id}?size=thumb`)).status).toBe(404);
      expect(await storedFilesOf(id)).toEqual({ files: [], chunkCount: 0 });
      expect(await Photo.exists({ _id: id })).toBeNull();
    }
  });
});

describe('avatars', () => {
  it('shows the uploaded avatar in the profile; a new one replaces and deletes the old', async () => {
    const user = await signUp('traveler');
    const first = await uploadAvatar(user.token, { bytes: await jpegWithGps(600, 600) });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const firstUrl: string = first.body.profile.avatarUrl;
    expect(firstUrl).toMatch(/^\/api\/photos\/[0-9a-f]{24}\?size=card$/);
    const firstId = firstUrl.slice('/api/photos/'.length, firstUrl.indexOf('?'));

    const profile = await api('/api/auth/profile', { token: user.token });
    expect(profile.body.profile.avatarUrl).toBe(firstUrl);
    const image = await fetchImage(firstUrl);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/webp');
    const served = await sharp(image.bytes).metadata();
    expect({ width: served.width, exif: served.exif }).toEqual({ width: 600, exif: undefined });

    const second = await uploadAvatar(user.token, { bytes: await png(300, 300) });
    expect(second.status).toBe(200);
    const secondUrl: string = second.body.profile.avatarUrl;
    expect(secondUrl).not.toBe(firstUrl);
    expect((await api('/api/auth/profile', { token: user.token })).body.profile.avatarUrl).toBe(
      secondUrl,
    );
    expect((await fetchImage(secondUrl)).status).toBe(200);
    expect((await api(firstUrl)).status).toBe(404);
    expect(await storedFilesOf(firstId)).toEqual({ files: [], chunkCount: 0 });

    // A link given instead replaces the uploaded avatar too.
    const secondId = secondUrl.slice('/api/photos/'.length, secondUrl.indexOf('?'));
    const linked = await api('/api/auth/profile', {
      method: 'PUT',
      token: user.token,
      body: { avatarUrl: 'https://images.example.com/me.png' },
    });
    expect(linked.body.profile.avatarUrl).toBe('https://images.example.com/me.png');
    expect((await api(secondUrl)).status).toBe(404);
    expect(await storedFilesOf(secondId)).toEqual({ files: [], chunkCount: 0 });
  });

  it('takes owners too, and refuses bad uploads and anonymous callers', async () => {
    const res = await uploadAvatar(otherOwner.token, { bytes: await png(100, 100) });
    expect(res.status).toBe(200);
    const text = await uploadAvatar(otherOwner.token, {
      bytes: Buffer.from('not an image'),
      filename: 'me.jpg',
    });
    expect({ status: text.status, code: text.body?.error?.code }).toEqual({
      status: 422,
      code: 'unsupported_image',
    });
    const anonymous = await answerOf(
      await fetch(url('/api/auth/profile/avatar'), { method: 'PUT', body: new FormData() }),
    );
    expect(anonymous.status).toBe(401);
    // The refused upload left the avatar as it was.
    const profile = await api('/api/auth/profile', { token: otherOwner.token });
    expect(profile.body.profile.avatarUrl).toBe(res.body.profile.avatarUrl);
  });
});

describe('upload to thumbnail', () => {
  it('measures the time from POST until the thumbnail answers, for a 4000 x 3000 JPEG', async () => {
    const property = await createProperty(owner);
    const bytes = await bigJpeg();
    const timings: { total: number; post: number; thumb: number }[] = [];
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const res = await uploadPhoto(property.id, owner.token, { bytes, filename: 'big.jpg' });
      const posted = performance.now();
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.photo).toMatchObject({ width: 2048, height: 1536 });
      const thumb = await fetchImage(res.body.photo.urls.thumb);
      const done = performance.now();
      expect(thumb.status).toBe(200);
      expect((await sharp(thumb.bytes).metadata()).width).toBe(320);
      timings.push({ total: done - started, post: posted - started, thumb: done - posted });
    }
    const median = (pick: (t: (typeof timings)[number]) => number) =>
      timings
        .map(pick)
        .sort((a, b) => a - b)[1]!
        .toFixed(0);
    process.stdout.write(
      `[photos] upload-to-thumbnail, 4000x3000 JPEG of ${(bytes.length / 1e6).toFixed(1)} MB, ` +
        `median of 3: ${median((t) => t.total)} ms (POST ${median((t) => t.post)} ms, ` +
        `GET thumb ${median((t) => t.thumb)} ms); all: ${timings.map((t) => t.total.toFixed(0)).join(', ')} ms\n`,
    );
  });
});
