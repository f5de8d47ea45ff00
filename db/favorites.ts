/** The `favorites` collection: which listings each traveler keeps, newest first. */
import { isDuplicateKeyError } from './connection.js';
import { toObjectId } from './ids.js';
import { Favorite, type FavoriteDoc } from './models.js';
import { findPage, type Page } from './pages.js';

const favoriteId = (travelerId: string, propertyId: string) => `${travelerId}:${propertyId}`;

/** Marks a favorite; marking it again changes nothing (and keeps its first date). */
export async function insertFavorite(travelerId: string, propertyId: string): Promise<void> {
  try {
    await Favorite.create({
      _id: favoriteId(travelerId, propertyId),
      travelerId: toObjectId(travelerId),
      propertyId: toObjectId(propertyId),
    });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
}

export async function deleteFavorite(travelerId: string, propertyId: string): Promise<void> {
  await Favorite.deleteOne({ _id: favoriteId(travelerId, propertyId) });
}

/** Which of these listings the traveler keeps, read by `_id`. */
export async function favoriteAmong(
  travelerId: string,
  propertyIds: string[],
): Promise<Set<string>> {
  if (propertyIds.length === 0) return new Set();
  const found = await Favorite.find({
    _id: { $in: propertyIds.map((id) => favoriteId(travelerId, id)) },
  })
    .select({ propertyId: 1 })
    .lean<Pick<FavoriteDoc, 'propertyId'>[]>();
  return new Set(found.map((f) => f.propertyId.toString()));
}

/** A page of the traveler's favorites, newest first: the property ids and when each was kept. */
export async function favoritePage(travelerId: string, page: Page) {
  const found = await findPage(
    Favorite,
    { travelerId: toObjectId(travelerId) },
    { createdAt: -1, _id: -1 },
    page,
  );
  return {
    items: found.items.map((f) => ({
      propertyId: f.propertyId.toString(),
      savedAt: (f as unknown as { createdAt: Date }).createdAt,
    })),
    total: found.total,
  };
}

/** A deleted listing is nobody's favorite any more. */
export async function deleteFavoritesOfProperty(propertyId: string): Promise<void> {
  await Favorite.deleteMany({ propertyId: toObjectId(propertyId) });
}
