/**
 * Seed Property service: owners list, edit and delete their properties; anyone searches the
 * available ones, by free dates too.
 */
import { hasLiveBooking, liveBookingCountsOfOwner } from '../db/bookings.js';
import { deleteFavoritesOfProperty } from '../db/favorites.js';
import { isObjectIdHex } from '../db/ids.js';
import {
  hasHeldNightFrom,
  heldNightsOfProperty,
  propertiesHoldingAnyOf,
} from '../db/night-ledger.js';
import type { Page } from '../db/pages.js';
import {
  deletePropertyOfOwner,
  findPropertyById,
  insertProperty,
  listPropertiesOfOwner,
  ownerOfProperty,
  searchPropertyPage,
  updatePropertyOfOwner,
  type PropertyFields,
  type PropertyQuery,
} from '../db/properties.js';
import { DomainError, forbidden, notFound } from '../domain/errors.js';
import { nightOf, nightsBetween, startOfDayUtc, type StayDates } from '../domain/stay.js';
import { findUserById } from '../db/users.js';
import type { AuthUser } from './accounts.js';
import { deletePhotosOfProperty } from './photos.js';
import { propertyView } from './property-views.js';
import { favoritesAmong } from './favorites.js';

export { PROPERTY_SORTS, type PropertySort } from '../db/properties.js';
export type PropertyInput = PropertyFields;

/** What a traveler searches by; every field but the paging and the order is optional. */
export type PropertySearch = Omit<PropertyQuery, 'excludeIds'> &
  Page & {
    /** The property must have every night of this stay free. */
    stay?: StayDates;
  };

/** Most listings one owner's list shows. */
const OWNER_LISTINGS_SHOWN = 500;

/** An owner's listings, newest first, each with its pending requests and upcoming stays. */
export async function listOwnerProperties(owner: AuthUser) {
  const [listings, counts] = await Promise.all([
    listPropertiesOfOwner(owner.id, OWNER_LISTINGS_SHOWN),
    liveBookingCountsOfOwner(owner.id, new Date()),
  ]);
  return listings.map((p) => {
    const id = p._id.toString();
    return {
      ...propertyView(p),
      pendingBookings: counts.pending.get(id) ?? 0,
      upcomingBookings: counts.upcoming.get(id) ?? 0,
    };
  });
}

export async function createProperty(owner: AuthUser, input: PropertyInput) {
  return propertyView(await insertProperty(owner.id, input));
}

/** One listing, as `viewer` (signed out when absent) sees it. */
export async function findProperty(id: string, viewer?: AuthUser) {
  const property = isObjectIdHex(id) ? await findPropertyById(id) : null;
  if (!property) throw notFound('Property');
  const favorites = await favoritesAmong(viewer, [id]);
  return propertyView(property, favorites.has(id));
}

/** One listing with its host's public card (name, avatar, member since), for its own page. */
export async function findPropertyWithHost(id: string, viewer?: AuthUser) {
  const property = await findProperty(id, viewer);
  const owner = await findUserById(property.ownerId);
  const host = owner
    ? { name: owner.name, avatarUrl: owner.avatarUrl, memberSince: owner.createdAt.toISOString() }
    : null;
  return { ...property, host };
}

/** 404 when the property does not exist, 403 when it is someone else's. */
async function requireOwnProperty(owner: AuthUser, propertyId: string): Promise<void> {
  const ownerId = await ownerOfProperty(propertyId);
  if (!ownerId) throw notFound('Property');
  if (ownerId !== owner.id) throw forbidden('This property belongs to another owner');
}

export async function updateProperty(
  owner: AuthUser,
  propertyId: string,
  changes: Partial<PropertyInput>,
) {
  await requireOwnProperty(owner, propertyId);
  // The owner is part of the write's filter too, so the check and the write cannot disagree.
  const updated = await updatePropertyOfOwner(propertyId, owner.id, changes);
  if (!updated) throw notFound('Property');
  return propertyView(updated);
}

/**
 * A property with a live booking must stay: the saga and both parties still refer to it. The
 * night ledger is asked too, because a saga holds its nights a moment before it records the
 * PENDING booking; nights still to come can only belong to a live or in-flight booking
 * (a COMPLETED stay's nights are all in the past).
 */
async function refuseWhileBookingsLive(propertyId: string): Promise<void> {
  const today = nightOf(startOfDayUtc(new Date()));
  const [liveBooking, upcomingHold] = await Promise.all([
    hasLiveBooking(propertyId),
    hasHeldNightFrom(propertyId, today),
  ]);
  if (liveBooking || upcomingHold) {
    throw new DomainError(
      'property_has_live_bookings',
      'This property has pending or accepted bookings; they must end before it can be deleted',
    );
  }
}

export async function deleteProperty(owner: AuthUser, propertyId: string): Promise<void> {
  await requireOwnProperty(owner, propertyId);
  await refuseWhileBookingsLive(propertyId);
  if (!(await deletePropertyOfOwner(propertyId, owner.id))) throw notFound('Property');
  await deletePhotosOfProperty(propertyId);
  await deleteFavoritesOfProperty(propertyId);
}

/** A page of matches, as `viewer` (signed out when absent) sees them. */
export async function searchProperties(search: PropertySearch, viewer?: AuthUser) {
  const { stay, page, limit, ...query } = search;
  const excludeIds = stay ? await propertiesHoldingAnyOf(nightsBetween(stay)) : undefined;
  const found = await searchPropertyPage({ ...query, excludeIds }, { page, limit });
  const favorites = await favoritesAmong(
    viewer,
    found.items.map((p) => p._id.toString()),
  );
  const properties = found.items.map((p) => propertyView(p, favorites.has(p._id.toString())));
  return { properties, page, limit, total: found.total };
}

export async function bookedDates(propertyId: string) {
  await findProperty(propertyId);
  return { propertyId, bookedNights: await heldNightsOfProperty(propertyId) };
}
