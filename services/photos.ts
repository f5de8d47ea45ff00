/**
 * Photos of listings and avatars. An upload is recognised by its content (domain/photos.ts: the
 * signature, then the decoder's own reading of the header, then the pixel count, all before a
 * pixel is decoded), turned by sharp into the three sizes (rotated upright by its EXIF
 * orientation, every metadata block dropped: EXIF and its GPS position, XMP, ICC), each stored
 * once in GridFS, and listed on the property (or shown as the user's avatar).
 */
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { newObjectIdHex } from '../db/ids.js';
import {
  deletePhotoFiles,
  readPhotoFile,
  writePhotoFile,
  type StoredPhotoFile,
} from '../db/photo-files.js';
import {
  avatarPhotoOfUser,
  clearAvatarPhoto,
  deletePhotoDocuments,
  fileIdsOfPhotos,
  findPhotoById,
  insertPhoto,
  photoIdsOfProperty,
  photoListOfProperty,
  replacePhotoList,
  setAvatarPhoto,
  type ListedPhoto,
  type PhotoList,
  type PhotoSizeRecord,
} from '../db/photos.js';
import { DomainError, forbidden, notFound } from '../domain/errors.js';
import {
  MAX_INPUT_PIXELS,
  MAX_PHOTO_BYTES,
  MAX_PHOTOS_PER_PROPERTY,
  PHOTO_CONTENT_TYPE,
  PHOTO_SIZE_BOXES,
  PHOTO_SIZES,
  PHOTO_WEBP_QUALITY,
  photoOrderProblem,
  photoUrl,
  photoUrls,
  uploadProblem,
  type PhotoSize,
  type UploadProblem,
} from '../domain/photos.js';
import type { AuthUser } from './accounts.js';
import { Bulkhead } from './bulkhead.js';

/** The size an avatar's link shows. */
const AVATAR_SIZE: PhotoSize = 'card';

/**
 * Decoding and encoding a 12-megapixel photo takes a core for a quarter of a second; uploads
 * queue for a few slots (one core fewer than the machine has) so searches and bookings keep one.
 */
const imageWork = new Bulkhead(Math.max(1, availableParallelism() - 1));

/** Runs the tasks of one key one at a time, in arrival order (other keys run alongside). */
class SerialPerKey {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

/** One change of a listing's photo list or a user's avatar at a time in this process. */
const serially = new SerialPerKey();

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

export interface PhotoView {
  id: string;
  width: number;
  height: number;
  urls: Record<PhotoSize, string>;
}

export function photoView(photo: ListedPhoto): PhotoView {
  return { id: photo.id, width: photo.width, height: photo.height, urls: photoUrls(photo.id) };
}

/** A listing's photos as its view shows them, from its document's `photos` field. */
export function listingPhotosView(
  photos: readonly { id: { toHexString(): string }; width: number; height: number }[] | undefined,
): { photos: PhotoView[]; coverPhotoUrl: string | null } {
  const views = (photos ?? []).map((p) => photoView({ ...p, id: p.id.toHexString() }));
  return { photos: views, coverPhotoUrl: views[0]?.urls.card ?? null };
}

// ---------------------------------------------------------------------------------------------
// From upload to stored sizes
// ---------------------------------------------------------------------------------------------

function refusal(problem: UploadProblem, detail?: string): DomainError {
  switch (problem) {
    case 'too_large':
      return new DomainError(
        'photo_too_large',
        `A photo may be at most ${MAX_PHOTO_BYTES} bytes (10 MiB)`,
        { maxBytes: MAX_PHOTO_BYTES },
      );
    case 'too_many_pixels':
      return new DomainError(
        'image_too_large_in_pixels',
        `The image declares ${detail ?? 'more'} pixels; at most ${MAX_INPUT_PIXELS} are accepted`,
        { maxPixels: MAX_INPUT_PIXELS },
      );
    case 'not_an_image':
      return new DomainError(
        'unsupported_image',
        detail ?? 'The file is not a JPEG, PNG or WebP image',
        { accepted: ['image/jpeg', 'image/png', 'image/webp'] },
      );
  }
}

// Never more pixels than the limit (checked again by libvips itself), and a damaged file (one the
// decoder warns about, a truncated JPEG) is refused rather than stored half grey.
const INPUT_OPTIONS: sharp.SharpOptions = {
  limitInputPixels: MAX_INPUT_PIXELS,
  failOn: 'warning',
  sequentialRead: true,
};

interface Rendition {
  size: PhotoSize;
  data: Buffer;
  width: number;
  height: number;
}

/** Checks the upload before decoding a pixel; throws the refusal. */
async function checkUpload(bytes: Buffer): Promise<void> {
  const early = uploadProblem(bytes);
  if (early) throw refusal(early);
  let metadata: sharp.Metadata;
  try {
    // The header only: nothing is decoded, so the pixel limit is ours to check (next).
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw refusal('not_an_image', 'The file is not a readable JPEG, PNG or WebP image');
  }
  const declared = uploadProblem(bytes, metadata);
  if (declared) throw refusal(declared, `${metadata.width} x ${metadata.height}`);
}

const encode = (image: sharp.Sharp, size: PhotoSize) =>
  image
    .resize({ ...PHOTO_SIZE_BOXES[size], fit: 'inside', withoutEnlargement: true })
    .webp({ quality: PHOTO_WEBP_QUALITY, effort: 2 })
    .toBuffer({ resolveWithObject: true });

/**
 * The upload decoded once: turned upright by its EXIF orientation, converted to sRGB (through
 * its ICC profile), shrunk into the full size's box, as raw pixels; the three sizes are encoded
 * from those. No withMetadata/keepExif/keepIccProfile: sharp writes none of the input's metadata.
 */
async function render(bytes: Buffer): Promise<Rendition[]> {
  const { data, info } = await sharp(bytes, INPUT_OPTIONS)
    .rotate()
    .resize({ ...PHOTO_SIZE_BOXES.full, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels = { raw: { width: info.width, height: info.height, channels: info.channels } };
  return Promise.all(
    PHOTO_SIZES.map(async (size) => {
      const encoded = await encode(sharp(data, pixels), size);
      return { size, data: encoded.data, width: encoded.info.width, height: encoded.info.height };
    }),
  );
}

/** The three sizes of an upload, or the refusal of it (never a server error for bad bytes). */
export async function renderPhotoSizes(bytes: Buffer): Promise<Rendition[]> {
  await checkUpload(bytes);
  return imageWork.run(async () => {
    try {
      return await render(bytes);
    } catch {
      throw refusal('not_an_image', 'The image could not be decoded (damaged or truncated)');
    }
  });
}

interface StoredPhoto extends ListedPhoto {
  sizes: Record<PhotoSize, PhotoSizeRecord>;
}

/** Stores each size once in GridFS, then the photo's document; nothing is left on failure. */
async function storePhoto(
  renditions: Rendition[],
  owner:
    { kind: 'property'; propertyId: string; userId: string } | { kind: 'avatar'; userId: string },
): Promise<StoredPhoto> {
  const id = newObjectIdHex();
  const written = await Promise.allSettled(
    renditions.map((r) =>
      writePhotoFile({
        filename: `${id}-${r.size}.webp`,
        contentType: PHOTO_CONTENT_TYPE,
        bytes: r.data,
        metadata: { photoId: id, size: r.size },
      }),
    ),
  );
  const fileIds = written.flatMap((w) => (w.status === 'fulfilled' ? [w.value.fileId] : []));
  const failed = written.find((w) => w.status === 'rejected');
  if (failed) {
    await deletePhotoFiles(fileIds);
    throw failed.reason;
  }
  const files = written.map((w) => (w as PromiseFulfilledResult<StoredPhotoFile>).value);
  const sizes = Object.fromEntries(
    renditions.map((r, i) => [r.size, { ...files[i]!, width: r.width, height: r.height }]),
  ) as Record<PhotoSize, PhotoSizeRecord>;
  try {
    await insertPhoto({ id, ...owner, contentType: PHOTO_CONTENT_TYPE, sizes });
  } catch (error) {
    await deletePhotoFiles(fileIds);
    throw error;
  }
  return { id, width: sizes.full.width, height: sizes.full.height, sizes };
}

/** Deletes photos: their documents first (they stop being served at once), then their files. */
export async function removePhotos(photoIds: string[]): Promise<void> {
  if (photoIds.length === 0) return;
  const fileIds = await fileIdsOfPhotos(photoIds);
  await deletePhotoDocuments(photoIds);
  await deletePhotoFiles(fileIds);
}

// ---------------------------------------------------------------------------------------------
// A listing's photos
// ---------------------------------------------------------------------------------------------

/** Retries of a list change that lost a race to another replica (MongoDB only). */
const LIST_CHANGE_ATTEMPTS = 5;

/** The owner's listing's photo list: 404 when it does not exist, 403 when it is another's. */
async function ownList(owner: AuthUser, propertyId: string): Promise<PhotoList> {
  const list = await photoListOfProperty(propertyId);
  if (!list) throw notFound('Property');
  if (list.ownerId !== owner.id) throw forbidden('This property belongs to another owner');
  return list;
}

/**
 * Replaces the owner's listing's photo list with what `change` makes of it, one change per
 * listing at a time; `change` may throw a refusal.
 */
function changePhotoList(
  owner: AuthUser,
  propertyId: string,
  change: (photos: ListedPhoto[]) => ListedPhoto[],
): Promise<ListedPhoto[]> {
  return serially.run(`property:${propertyId}`, async () => {
    for (let attempt = 1; ; attempt++) {
      const list = await ownList(owner, propertyId);
      const next = change(list.photos);
      if (await replacePhotoList(propertyId, owner.id, list.version, next)) return next;
      if (attempt >= LIST_CHANGE_ATTEMPTS) {
        throw new Error(`the photo list of ${propertyId} kept changing under ${attempt} writes`);
      }
    }
  });
}

function refuseWhenFull(photos: readonly ListedPhoto[]): void {
  if (photos.length >= MAX_PHOTOS_PER_PROPERTY) {
    throw new DomainError(
      'too_many_photos',
      `A property may have at most ${MAX_PHOTOS_PER_PROPERTY} photos; delete one first`,
      { maxPhotos: MAX_PHOTOS_PER_PROPERTY },
    );
  }
}

/**
 * Whether the owner may add a photo to this listing now (404, 403, 409): asked before the
 * upload is read, so a refused one costs no decoding. `addPropertyPhoto` checks again.
 */
export async function checkPhotoCanBeAdded(owner: AuthUser, propertyId: string): Promise<void> {
  refuseWhenFull((await ownList(owner, propertyId)).photos);
}

export async function addPropertyPhoto(owner: AuthUser, propertyId: string, bytes: Buffer) {
  await checkPhotoCanBeAdded(owner, propertyId);
  const renditions = await renderPhotoSizes(bytes);
  const stored = await storePhoto(renditions, {
    kind: 'property',
    propertyId,
    userId: owner.id,
  });
  const entry: ListedPhoto = { id: stored.id, width: stored.width, height: stored.height };
  try {
    const photos = await changePhotoList(owner, propertyId, (photos) => {
      refuseWhenFull(photos);
      return [...photos, entry];
    });
    return { photo: photoView(entry), photos: photos.map(photoView) };
  } catch (error) {
    // Refused meanwhile (the 20th photo arrived first, the listing was deleted): not kept.
    await removePhotos([stored.id]);
    throw error;
  }
}

export async function deletePropertyPhoto(
  owner: AuthUser,
  propertyId: string,
  photoId: string,
): Promise<void> {
  await changePhotoList(owner, propertyId, (photos) => {
    if (!photos.some((p) => p.id === photoId)) throw notFound('Photo');
    return photos.filter((p) => p.id !== photoId);
  });
  await removePhotos([photoId]);
}

/** Puts the listing's photos in this order (the first is the cover). */
export async function reorderPropertyPhotos(
  owner: AuthUser,
  propertyId: string,
  photoIds: string[],
) {
  const photos = await changePhotoList(owner, propertyId, (photos) => {
    const problem = photoOrderProblem(
      photos.map((p) => p.id),
      photoIds,
    );
    if (problem) {
      throw new DomainError(
        'invalid_photo_order',
        "photoIds must list every one of the property's photos exactly once",
        problem,
      );
    }
    const byId = new Map(photos.map((p) => [p.id, p]));
    return photoIds.map((id) => byId.get(id) as ListedPhoto);
  });
  return { photos: photos.map(photoView) };
}

/** With the listing (already deleted): every photo uploaded for it, in-flight uploads included. */
export async function deletePhotosOfProperty(propertyId: string): Promise<void> {
  await serially.run(`property:${propertyId}`, async () =>
    removePhotos(await photoIdsOfProperty(propertyId)),
  );
}

// ---------------------------------------------------------------------------------------------
// Avatars
// ---------------------------------------------------------------------------------------------

/** Makes the upload the user's avatar (`avatarUrl` links to it); the previous upload is deleted. */
export async function replaceAvatar(user: AuthUser, bytes: Buffer): Promise<void> {
  const renditions = await renderPhotoSizes(bytes);
  const stored = await storePhoto(renditions, { kind: 'avatar', userId: user.id });
  const previous = await serially.run(`avatar:${user.id}`, async () => {
    const before = await avatarPhotoOfUser(user.id);
    if (!(await setAvatarPhoto(user.id, stored.id, photoUrl(stored.id, AVATAR_SIZE)))) {
      return undefined;
    }
    return before;
  });
  if (previous === undefined) {
    await removePhotos([stored.id]);
    throw notFound('User');
  }
  if (previous) await removePhotos([previous]);
}

/** Deletes the user's uploaded avatar, if any: the profile is given another link (or none). */
export async function discardUploadedAvatar(userId: string): Promise<void> {
  const previous = await serially.run(`avatar:${userId}`, async () => {
    const before = await avatarPhotoOfUser(userId);
    if (before) await clearAvatarPhoto(userId);
    return before;
  });
  if (previous) await removePhotos([previous]);
}

// ---------------------------------------------------------------------------------------------
// Serving
// ---------------------------------------------------------------------------------------------

export interface ServedPhoto {
  contentType: string;
  /** The strong ETag: the SHA-256 of the stored bytes, quoted. */
  etag: string;
  /** The bytes, read only when they are to be sent (null: deleted meanwhile). */
  read(): Promise<Buffer | null>;
}

/** One size of a photo, listing's or avatar (anyone may see either); 404 when unknown. */
export async function servedPhoto(photoId: string, size: PhotoSize): Promise<ServedPhoto> {
  const photo = await findPhotoById(photoId);
  const stored = photo?.sizes?.[size];
  if (!photo || !stored) throw notFound('Photo');
  return {
    contentType: photo.contentType,
    etag: `"${stored.sha256}"`,
    read: () => readPhotoFile(stored.fileId.toHexString()),
  };
}
