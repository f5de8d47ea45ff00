/**
 * The `properties` collection. Money is always a Number; `cityLower` is kept next to `city` so
 * that city search is case-insensitive and can still use an index.
 */
import type { QueryFilter } from 'mongoose';
import { startsWithPattern } from '../domain/text.js';
import { toObjectId } from './ids.js';
import { Property, type PropertyDoc } from './models.js';
import { findPage, type Page } from './pages.js';

export type { PropertyDoc };

export const PROPERTY_SORTS = ['price_asc', 'price_desc', 'newest'] as const;
export type PropertySort = (typeof PROPERTY_SORTS)[number];

/** The fields of a listing an owner writes (`cityLower` is derived here). */
export interface PropertyFields {
  name: string;
  type: string;
  description?: string;
  address?: string;
  city: string;
  state?: string;
  country: string;
  zipcode?: string;
  bedrooms: number;
  bathrooms: number;
  maxGuests: number;
  amenities?: string[];
  images?: string[];
  pricePerNight: number;
  cleaningFee?: number;
  serviceFee?: number;
  available?: boolean;
}

/** What a search filters by, in database terms; only available listings are ever found. */
export interface PropertyQuery {
  /** Start of the city's name, any case. */
  city?: string;
  minPrice?: number;
  maxPrice?: number;
  /** Sleeps at least this many. */
  guests?: number;
  type?: string;
  /** Offers every one of these. */
  amenities?: string[];
  bedrooms?: number;
  /** None of these listings (those with a night of the wanted stay taken). */
  excludeIds?: string[];
  sort: PropertySort;
}

// `_id` breaks ties so that pages never repeat or skip a listing with the same price or time.
const SORT_ORDERS: Record<PropertySort, Record<string, 1 | -1>> = {
  price_asc: { pricePerNight: 1, _id: 1 },
  price_desc: { pricePerNight: -1, _id: -1 },
  newest: { createdAt: -1, _id: -1 },
};

export async function insertProperty(ownerId: string, fields: PropertyFields) {
  const created = await Property.create({
    ...fields,
    cityLower: fields.city.toLowerCase(),
    ownerId: toObjectId(ownerId),
  });
  return created.toObject();
}

export function findPropertyById(propertyId: string) {
  return Property.findById(propertyId).lean<PropertyDoc>();
}

/** The owner of a listing, or null when it does not exist. */
export async function ownerOfProperty(propertyId: string): Promise<string | null> {
  const property = await Property.findById(propertyId).select({ ownerId: 1 }).lean();
  return property ? property.ownerId.toString() : null;
}

export function listPropertiesOfOwner(ownerId: string, limit: number) {
  return Property.find({ ownerId: toObjectId(ownerId) })
    .sort({ createdAt: -1 })
    .limit(limit)
    .lean<PropertyDoc[]>();
}

/** The fields an owner sent, without the ones left out, plus the derived `cityLower`. */
function changesToSet(changes: Partial<PropertyFields>): Record<string, unknown> {
  const sent = Object.entries(changes).filter(([, value]) => value !== undefined);
  const set: Record<string, unknown> = Object.fromEntries(sent);
  if (changes.city !== undefined) set.cityLower = changes.city.toLowerCase();
  return set;
}

/** The listing as changed, or null unless it exists and is `ownerId`'s (one atomic filter). */
export function updatePropertyOfOwner(
  propertyId: string,
  ownerId: string,
  changes: Partial<PropertyFields>,
) {
  return Property.findOneAndUpdate(
    { _id: propertyId, ownerId },
    { $set: changesToSet(changes) },
    { returnDocument: 'after', runValidators: true },
  ).lean<PropertyDoc>();
}

export async function deletePropertyOfOwner(propertyId: string, ownerId: string) {
  return (await Property.deleteOne({ _id: propertyId, ownerId })).deletedCount === 1;
}

function priceRange(min?: number, max?: number) {
  if (min === undefined && max === undefined) return undefined;
  return {
    ...(min === undefined ? {} : { $gte: min }),
    ...(max === undefined ? {} : { $lte: max }),
  };
}

function searchFilter(query: PropertyQuery): QueryFilter<PropertyDoc> {
  const filter: QueryFilter<PropertyDoc> = { available: true };
  // An anchored prefix on the lowercased copy: case-insensitive, index-friendly, and the
  // traveler's text is escaped so it is never read as a pattern.
  if (query.city) filter.cityLower = { $regex: startsWithPattern(query.city.toLowerCase()) };
  const price = priceRange(query.minPrice, query.maxPrice);
  if (price) filter.pricePerNight = price;
  if (query.guests !== undefined) filter.maxGuests = { $gte: query.guests };
  if (query.bedrooms !== undefined) filter.bedrooms = { $gte: query.bedrooms };
  if (query.type !== undefined) filter.type = query.type;
  if (query.amenities?.length) filter.amenities = { $all: query.amenities };
  if (query.excludeIds) filter._id = { $nin: query.excludeIds.map(toObjectId) };
  return filter;
}

export function searchPropertyPage(query: PropertyQuery, page: Page) {
  return findPage(Property, searchFilter(query), SORT_ORDERS[query.sort], page);
}

export async function countPropertiesOfOwner(ownerId: string): Promise<number> {
  return Property.countDocuments({ ownerId: toObjectId(ownerId) });
}

/** These listings, in no particular order; ids that no longer exist are left out. */
export function findPropertiesByIds(propertyIds: string[]) {
  return Property.find({ _id: { $in: propertyIds.map(toObjectId) } }).lean<PropertyDoc[]>();
}
