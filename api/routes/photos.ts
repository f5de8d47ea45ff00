/**
 * Photos (issue 12): an owner uploads, orders and deletes the photos of a listing
 * (`/api/properties/:id/photos`), anyone fetches one size of a photo (`/api/photos/:photoId`),
 * and a signed-in user uploads an avatar (`/api/auth/profile/avatar`). Uploads are
 * `multipart/form-data` with the image in the field `photo`; what the image is, is decided by
 * its bytes (services/photos.ts), never by its file name or declared type.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { DomainError, notFound } from '../../domain/errors.js';
import { MAX_PHOTO_BYTES, PHOTO_CONTENT_TYPE } from '../../domain/photos.js';
import { readProfile } from '../../services/accounts.js';
import {
  addPropertyPhoto,
  checkPhotoCanBeAdded,
  deletePropertyPhoto,
  reorderPropertyPhotos,
  replaceAvatar,
  servedPhoto,
} from '../../services/photos.js';
import { requireUser, type AppEnv } from '../auth-middleware.js';
import { HttpError } from '../errors.js';
import { ApiRouter, errorResponse, jsonBody, jsonResponse, signedIn } from '../openapi.js';
import {
  IdParams,
  PhotoAdded,
  PhotoIdParams,
  PhotoList,
  ProfileAnswer,
  PropertyPhotoParams,
  photoOrderBody,
  photoSizeQuery,
  photoUploadBody,
} from '../schemas.js';

/** Room for the multipart framing (boundaries, part headers, a file name) around the photo. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
export const PHOTO_UPLOAD_BODY_LIMIT = MAX_PHOTO_BYTES + MULTIPART_OVERHEAD_BYTES;

const UPLOADS: { method: string; path: RegExp }[] = [
  { method: 'POST', path: /^\/api\/properties\/[^/]+\/photos$/ },
  { method: 'PUT', path: /^\/api\/auth\/profile\/avatar$/ },
];

/**
 * Whether the request is a photo upload: these routes take bodies up to
 * PHOTO_UPLOAD_BODY_LIMIT, and the app's BODY_LIMIT_BYTES does not apply to them (api/app.ts).
 */
export function isPhotoUpload(method: string, path: string): boolean {
  return UPLOADS.some((upload) => upload.method === method && upload.path.test(path));
}

const tooLarge = () =>
  new DomainError('photo_too_large', `A photo may be at most ${MAX_PHOTO_BYTES} bytes (10 MiB)`, {
    maxBytes: MAX_PHOTO_BYTES,
  });

/** Most bytes of an over-limit chunked upload read and dropped before the refusal is sent. */
const MAX_DISCARDED_BYTES = PHOTO_UPLOAD_BODY_LIMIT;

/** Reads and drops what is left of a refused body (up to MAX_DISCARDED_BYTES), then stops. */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let discarded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    discarded += value.length;
    if (discarded > MAX_DISCARDED_BYTES) {
      await reader.cancel();
      return;
    }
  }
}

/**
 * The uploads' own body limit, PHOTO_UPLOAD_BODY_LIMIT. A declared Content-Length over it is
 * refused before anything is read (the server drains the rest); a body sent in chunks is counted
 * as it arrives, and past the limit what is left is read and dropped before the 413, so the
 * answer reaches the client on a connection it can go on using (hono's bodyLimit stops reading,
 * and the connection is cut half a second later, under the client's next request).
 */
const uploadLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const body = c.req.raw.body;
  if (!body) return next();
  const declared = c.req.header('content-length');
  if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
    if (Number(declared) > PHOTO_UPLOAD_BODY_LIMIT) throw tooLarge();
    return next();
  }
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > PHOTO_UPLOAD_BODY_LIMIT) {
      await discardRest(reader);
      throw tooLarge();
    }
    chunks.push(value);
  }
  c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks) });
  return next();
};

const MULTIPART = /^multipart\/form-data\s*;/i;

/** The one image of a multipart upload, as bytes: 415, 400 or 413 when there is none. */
async function readUploadedPhoto(c: Context): Promise<Buffer> {
  if (!MULTIPART.test(c.req.header('content-type') ?? '')) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      'Send the photo as multipart/form-data, in the field `photo`',
    );
  }
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    throw new HttpError(400, 'invalid_multipart', 'The body is not valid multipart/form-data');
  }
  const parts = form.getAll('photo');
  const [photo] = parts;
  const problem =
    parts.length === 0
      ? 'is required'
      : parts.length > 1
        ? 'must be sent once'
        : typeof photo === 'string'
          ? 'must be a file'
          : undefined;
  if (problem || !photo || typeof photo === 'string') {
    throw new HttpError(400, 'validation_failed', `The field photo ${problem ?? 'is invalid'}`, [
      { path: 'photo', message: problem },
    ]);
  }
  if (photo.size > MAX_PHOTO_BYTES) throw tooLarge();
  return Buffer.from(await photo.arrayBuffer());
}

/** Does `If-None-Match` name this ETag (weak comparison, as RFC 9110 says for this header)? */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * `/api/properties/:id/photos/order` is the resource of the photos' order (PUT only), not a photo
 * whose id is `order`: a DELETE there is a 405 with `Allow: PUT`, as any method it does not serve.
 */
const orderIsNoPhoto: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.param('photoId') !== 'order') return next();
  c.header('Allow', 'PUT');
  const message = `${c.req.method} is not served at ${c.req.path}; use PUT`;
  return c.json({ error: { code: 'method_not_allowed', message } }, 405);
};

const uploadRefusals = {
  400: errorResponse(
    'Not a valid id, malformed multipart, or no file (or more than one) in the field `photo`',
  ),
  413: errorResponse('`photo_too_large`: the photo is over 10 MiB'),
  415: errorResponse('The body is not multipart/form-data'),
  422: errorResponse(
    '`unsupported_image`: not a JPEG, PNG or WebP image (by its content) or damaged; ' +
      '`image_too_large_in_pixels`: it declares more than 40 megapixels',
  ),
};

/** `/api/properties/:id/photos...`: a listing's photos, by its owner. */
export function propertyPhotoRoutes() {
  return new ApiRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/{id}/photos',
        summary: 'Add a photo to my property (multipart field `photo`: JPEG, PNG or WebP)',
        tags: ['photos'],
        ...signedIn('owner'),
        middleware: [requireUser('owner'), uploadLimit] as const,
        request: { params: IdParams, body: photoUploadBody },
        responses: {
          201: jsonResponse(PhotoAdded, 'The photo, and the property’s photos in order'),
          ...uploadRefusals,
          401: errorResponse('No session'),
          403: errorResponse('Not an owner account, or another owner’s property'),
          404: errorResponse('No such property'),
          409: errorResponse('`too_many_photos`: the property has 20 photos already'),
        },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const owner = c.get('user');
        // Refused before the upload is read when it would be refused anyway.
        await checkPhotoCanBeAdded(owner, id);
        const added = await addPropertyPhoto(owner, id, await readUploadedPhoto(c));
        return c.json(added, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/{id}/photos/order',
        summary: 'Put my property’s photos in a new order (the first is the cover)',
        tags: ['photos'],
        ...signedIn('owner'),
        request: { params: IdParams, body: jsonBody(photoOrderBody) },
        responses: {
          200: jsonResponse(PhotoList, 'The photos in their new order'),
          400: errorResponse('Not a property id, invalid JSON, or photoIds not a list of ids'),
          401: errorResponse('No session'),
          403: errorResponse('Not an owner account, or another owner’s property'),
          404: errorResponse('No such property'),
          422: errorResponse(
            '`invalid_photo_order`: photoIds is not every photo of the property once ' +
              '(details: missing, unknown, duplicates)',
          ),
        },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const { photoIds } = c.req.valid('json');
        return c.json(await reorderPropertyPhotos(c.get('user'), id, photoIds), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/{id}/photos/{photoId}',
        summary: 'Delete a photo of my property',
        tags: ['photos'],
        ...signedIn('owner'),
        middleware: [orderIsNoPhoto, requireUser('owner')] as const,
        request: { params: PropertyPhotoParams },
        responses: {
          204: { description: 'Deleted, every size of it' },
          400: errorResponse('Not a property or photo id'),
          401: errorResponse('No session'),
          403: errorResponse('Not an owner account, or another owner’s property'),
          404: errorResponse('No such property, or no such photo of it'),
        },
      }),
      async (c) => {
        const { id, photoId } = c.req.valid('param');
        await deletePropertyPhoto(c.get('user'), id, photoId);
        return c.body(null, 204);
      },
    );
}

/** `GET /api/photos/:photoId`: one size of a photo, for anyone. */
export function photoRoutes() {
  return new ApiRouter().openapi(
    createRoute({
      method: 'get',
      path: '/{photoId}',
      summary: 'One size of a photo (a listing’s or an avatar), as WebP, cached for good',
      tags: ['photos'],
      request: {
        params: PhotoIdParams,
        query: photoSizeQuery,
        headers: z.object({
          'if-none-match': z
            .string()
            .optional()
            .openapi({ description: 'The ETag of a copy already held: 304 if it still is this' }),
        }),
      },
      responses: {
        200: {
          description:
            'The image (`Content-Type: image/webp`) with a strong ETag (the SHA-256 of its bytes) ' +
            'and `Cache-Control: public, max-age=31536000, immutable`',
          content: {
            [PHOTO_CONTENT_TYPE]: { schema: z.string().openapi({ format: 'binary' }) },
          },
        },
        304: { description: 'Not modified: If-None-Match names this ETag' },
        400: errorResponse('Not a photo id, or size is not thumb, card or full'),
        404: errorResponse('No such photo'),
      },
    }),
    async (c) => {
      const { photoId } = c.req.valid('param');
      const { size } = c.req.valid('query');
      const photo = await servedPhoto(photoId, size);
      const headers = { ETag: photo.etag, 'Cache-Control': IMMUTABLE };
      if (matchesIfNoneMatch(c.req.header('if-none-match'), photo.etag)) {
        return c.body(null, 304, headers);
      }
      const bytes = await photo.read();
      if (!bytes) throw notFound('Photo');
      return c.body(new Uint8Array(bytes), 200, {
        ...headers,
        'Content-Type': photo.contentType,
        'X-Content-Type-Options': 'nosniff',
      });
    },
  );
}

/** `PUT /api/auth/profile/avatar`: my avatar, uploaded. */
export function avatarRoutes() {
  return new ApiRouter().openapi(
    createRoute({
      method: 'put',
      path: '/profile/avatar',
      summary: 'Upload my avatar (multipart field `photo`); it replaces the previous one',
      tags: ['auth', 'photos'],
      ...signedIn(),
      middleware: [requireUser(), uploadLimit] as const,
      request: { body: photoUploadBody },
      responses: {
        200: jsonResponse(
          ProfileAnswer,
          'My profile; avatarUrl is the new avatar’s link (/api/photos/{id}?size=card)',
        ),
        ...uploadRefusals,
        400: errorResponse('Malformed multipart, or no file (or more than one) in `photo`'),
        401: errorResponse('Not logged in'),
      },
    }),
    async (c) => {
      const user = c.get('user');
      await replaceAvatar(user, await readUploadedPhoto(c));
      return c.json({ profile: await readProfile(user.id) }, 200);
    },
  );
}
