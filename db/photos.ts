/**
 * The `photos` collection (one document per uploaded photo, its sizes in GridFS:
 * db/photo-files.ts), a listing's ordered photo list (the `photos` field of its property
 * document) and a user's uploaded avatar (`avatarPhotoId` of the user document).
 *
 * A listing's list is only ever replaced whole, guarded by `photosVersion`: on MongoDB the guard
 * is in the update's filter (atomic), on FerretDB it is checked on the document read by `_id`
 * (db/guarded-update.ts), where the caller also runs one change of a listing's photos at a time
 * (FerretDB applies concurrent updates of one document as read-then-write and loses all but one).
 */
import type { PhotoSize } from '../domain/photos.js';
import { updateByIdIf } from './guarded-update.js';
import { toObjectId } from './ids.js';
import { Photo, Property, User, type PhotoDoc, type PropertyDoc } from './models.js';

export type { PhotoDoc };

export interface PhotoSizeRecord {
  fileId: string;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
}

export interface NewPhoto {
  id: string;
  kind: 'property' | 'avatar';
  propertyId?: string;
  userId: string;
  contentType: string;
  sizes: Record<PhotoSize, PhotoSizeRecord>;
}

/** One entry of a listing's ordered list. */
export interface ListedPhoto {
  id: string;
  width: number;
  height: number;
}

export interface PhotoList {
  ownerId: string;
  photos: ListedPhoto[];
  version: number;
}

const sizeDoc = (size: PhotoSizeRecord) => ({ ...size, fileId: toObjectId(size.fileId) });

export async function insertPhoto(photo: NewPhoto): Promise<void> {
  await Photo.create({
    _id: toObjectId(photo.id),
    kind: photo.kind,
    propertyId: photo.propertyId ? toObjectId(photo.propertyId) : undefined,
    userId: toObjectId(photo.userId),
    contentType: photo.contentType,
    sizes: {
      thumb: sizeDoc(photo.sizes.thumb),
      card: sizeDoc(photo.sizes.card),
      full: sizeDoc(photo.sizes.full),
    },
  });
}

export function findPhotoById(photoId: string) {
  return Photo.findById(photoId).lean<PhotoDoc>();
}

/** The GridFS files of these photos (for deleting them after their documents). */
export async function fileIdsOfPhotos(photoIds: string[]): Promise<string[]> {
  const docs = await Promise.all(
    photoIds.map((id) => Photo.findById(id).select({ sizes: 1 }).lean<Pick<PhotoDoc, 'sizes'>>()),
  );
  return docs.flatMap((doc) =>
    Object.values(doc?.sizes ?? {}).map((size) => size.fileId.toHexString()),
  );
}

/** Deletes the photo documents, one by `_id` each (exact on FerretDB too). */
export async function deletePhotoDocuments(photoIds: string[]): Promise<void> {
  await Promise.all(photoIds.map((id) => Photo.deleteOne({ _id: toObjectId(id) })));
}

/** Every photo uploaded for the listing: its list, and uploads still in flight. */
export async function photoIdsOfProperty(propertyId: string): Promise<string[]> {
  const docs = await Photo.find({ propertyId: toObjectId(propertyId) })
    .select({ _id: 1 })
    .lean();
  return docs.map((doc) => doc._id.toHexString());
}

const listed = (photos: PropertyDoc['photos'] | undefined): ListedPhoto[] =>
  (photos ?? []).map(({ id, width, height }) => ({ id: id.toHexString(), width, height }));

/** The listing's owner and ordered photos, or null when there is no such listing. */
export async function photoListOfProperty(propertyId: string): Promise<PhotoList | null> {
  const doc = await Property.findById(propertyId)
    .select({ ownerId: 1, photos: 1, photosVersion: 1 })
    .lean<Pick<PropertyDoc, 'ownerId' | 'photos' | 'photosVersion'>>();
  if (!doc) return null;
  return {
    ownerId: doc.ownerId.toHexString(),
    photos: listed(doc.photos),
    version: doc.photosVersion ?? 0,
  };
}

/**
 * Replaces the listing's photo list with `photos` if it is still at `version` (and the owner's);
 * false when it changed meanwhile or the listing is gone.
 */
export function replacePhotoList(
  propertyId: string,
  ownerId: string,
  version: number,
  photos: ListedPhoto[],
): Promise<boolean> {
  return updateByIdIf(
    Property,
    toObjectId(propertyId),
    {
      // A listing written before photos existed has no photosVersion: version 0.
      filter: {
        ownerId: toObjectId(ownerId),
        photosVersion: version === 0 ? { $in: [0, null] } : version,
      },
      holds: (doc) => doc.ownerId.toHexString() === ownerId && (doc.photosVersion ?? 0) === version,
      select: { ownerId: 1, photosVersion: 1 },
    },
    {
      $set: {
        photos: photos.map((photo) => ({ ...photo, id: toObjectId(photo.id) })),
        photosVersion: version + 1,
      },
    },
  );
}

/** The user's uploaded avatar photo, or null (none, or no such user). */
export async function avatarPhotoOfUser(userId: string): Promise<string | null> {
  const user = await User.findById(userId).select({ avatarPhotoId: 1 }).lean();
  return user?.avatarPhotoId?.toHexString() ?? null;
}

/** Shows this uploaded photo as the user's avatar; false when there is no such user. */
export async function setAvatarPhoto(
  userId: string,
  photoId: string,
  avatarUrl: string,
): Promise<boolean> {
  const updated = await User.updateOne(
    { _id: toObjectId(userId) },
    { $set: { avatarPhotoId: toObjectId(photoId), avatarUrl } },
  );
  return updated.matchedCount === 1;
}

/** Forgets the uploaded avatar (its link stays until the profile's avatarUrl is changed). */
export async function clearAvatarPhoto(userId: string): Promise<void> {
  await User.updateOne({ _id: toObjectId(userId) }, { $unset: { avatarPhotoId: 1 } });
}
