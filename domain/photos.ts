/**
 * Photos of listings and avatars: what is accepted, the sizes kept, and the rules of a listing's
 * ordered photo list. Pure rules: the image work itself (sharp) is in services/photos.ts.
 */

/** Largest photo accepted, in bytes (10 MiB). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/** Most photos one listing may have. */
export const MAX_PHOTOS_PER_PROPERTY = 20;

/**
 * Most pixels (width x height as the file declares them) an upload may have: a 10 MiB PNG of one
 * colour can declare 30000 x 30000 pixels, 3.6 GB once decoded. 40 MP is a 7300 x 5500 photo.
 */
export const MAX_INPUT_PIXELS = 40_000_000;

/** The formats accepted, recognised by their content (never by file name or declared type). */
export const ACCEPTED_IMAGE_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type AcceptedImageFormat = (typeof ACCEPTED_IMAGE_FORMATS)[number];

/** The sizes every photo is kept in, smallest first. */
export const PHOTO_SIZES = ['thumb', 'card', 'full'] as const;
export type PhotoSize = (typeof PHOTO_SIZES)[number];

/** What `GET /api/photos/:id` serves without `?size=`: the size of a search result card. */
export const DEFAULT_PHOTO_SIZE: PhotoSize = 'card';

/**
 * The box each size fits inside, aspect kept and never enlarged: thumb and card are 320 and 800
 * wide (up to three times as tall), full at most 2048 on its longer side.
 */
export const PHOTO_SIZE_BOXES: Record<PhotoSize, { width: number; height: number }> = {
  thumb: { width: 320, height: 960 },
  card: { width: 800, height: 2400 },
  full: { width: 2048, height: 2048 },
};

/** Every size is stored as WebP: smaller than JPEG at the same quality, and it keeps alpha. */
export const PHOTO_CONTENT_TYPE = 'image/webp';
export const PHOTO_WEBP_QUALITY = 80;

/** What the first bytes of a file say it is, or null when it is none of the accepted formats. */
export function sniffImageFormat(bytes: Uint8Array): AcceptedImageFormat | null {
  const starts = (offset: number, signature: number[]) =>
    bytes.length >= offset + signature.length &&
    signature.every((byte, i) => bytes[offset + i] === byte);
  if (starts(0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  // RIFF <size> WEBP
  if (starts(0, [0x52, 0x49, 0x46, 0x46]) && starts(8, [0x57, 0x45, 0x42, 0x50])) return 'webp';
  return null;
}

/** Why an upload is refused before any pixel is decoded, or null when it may be decoded. */
export type UploadProblem = 'too_large' | 'not_an_image' | 'too_many_pixels';

export function uploadProblem(
  bytes: Uint8Array,
  declared?: { format: string | undefined; width?: number; height?: number },
): UploadProblem | null {
  if (bytes.length > MAX_PHOTO_BYTES) return 'too_large';
  const sniffed = sniffImageFormat(bytes);
  if (!sniffed) return 'not_an_image';
  if (!declared) return null;
  // The decoder must read the file as what its signature says (a PNG header before SVG text
  // would otherwise reach another decoder).
  if (declared.format !== sniffed || !declared.width || !declared.height) return 'not_an_image';
  if (declared.width * declared.height > MAX_INPUT_PIXELS) return 'too_many_pixels';
  return null;
}

/** What is wrong with a proposed order of a listing's photos, or null when it is a permutation. */
export interface PhotoOrderProblem {
  missing: string[];
  unknown: string[];
  duplicates: string[];
}

export function photoOrderProblem(
  current: readonly string[],
  proposed: readonly string[],
): PhotoOrderProblem | null {
  const known = new Set(current);
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const id of proposed) {
    if (seen.has(id)) duplicates.add(id);
    seen.add(id);
  }
  const problem = {
    missing: current.filter((id) => !seen.has(id)),
    unknown: [...seen].filter((id) => !known.has(id)),
    duplicates: [...duplicates],
  };
  const ok = Object.values(problem).every((ids) => ids.length === 0);
  return ok && proposed.length === current.length ? null : problem;
}

/** Where a photo is served: `GET /api/photos/:id?size=`. */
export function photoUrl(photoId: string, size: PhotoSize): string {
  return `/api/photos/${photoId}?size=${size}`;
}

export function photoUrls(photoId: string): Record<PhotoSize, string> {
  return {
    thumb: photoUrl(photoId, 'thumb'),
    card: photoUrl(photoId, 'card'),
    full: photoUrl(photoId, 'full'),
  };
}
