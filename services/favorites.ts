/**
 * A traveler's favorite listings, kept on the server (the original lab kept them in one
 * browser's localStorage, so they vanished on another device). Marking and unmarking are
 * idempotent; every property a traveler sees says whether it is one of theirs.
 */
import { deleteFavorite, favoriteAmong, favoritePage, insertFavorite } from '../db/favorites.js';
import type { Page } from '../db/pages.js';
import { findPropertiesByIds, findPropertyById, type PropertyDoc } from '../db/properties.js';
import { notFound } from '../domain/errors.js';
import type { AuthUser } from './accounts.js';
import { propertyView } from './property-views.js';

export async function markFavorite(traveler: AuthUser, propertyId: string): Promise<void> {
  if (!(await findPropertyById(propertyId))) throw notFound('Property');
  await insertFavorite(traveler.id, propertyId);
}

/** Unmarking one that is not a favorite (or no longer exists) is not an error. */
export async function unmarkFavorite(traveler: AuthUser, propertyId: string): Promise<void> {
  await deleteFavorite(traveler.id, propertyId);
}

/**
 * Which of these listings the viewer keeps as favorites: none for someone signed out or an
 * owner (favorites are a traveler's).
 */
export async function favoritesAmong(
  viewer: AuthUser | undefined,
  propertyIds: string[],
): Promise<Set<string>> {
  if (viewer?.role !== 'traveler') return new Set();
  return favoriteAmong(viewer.id, propertyIds);
}

/** A page of the traveler's favorites, newest first, each with its listing. */
export async function favoriteListingsPage(traveler: AuthUser, page: Page) {
  const found = await favoritePage(traveler.id, page);
  const properties = await findPropertiesByIds(found.items.map((f) => f.propertyId));
  const byId = new Map<string, PropertyDoc>(properties.map((p) => [p._id.toString(), p]));
  // A listing deleted between the two reads is left out (its favorites go with it).
  const favorites = found.items.flatMap(({ propertyId, savedAt }) => {
    const property = byId.get(propertyId);
    return property
      ? [{ savedAt: savedAt.toISOString(), property: propertyView(property, true) }]
      : [];
  });
  return { favorites, total: found.total };
}
