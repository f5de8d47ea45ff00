/**
 * Seed Property service: owners list, edit and delete their properties; anyone searches the
 * available ones. Money is always a Number; `cityLower` is kept next to `city` so that city
 * search is case-insensitive and can still use an index.
 */
import mongoose, { type QueryFilter } from 'mongoose';
import { LIVE_STATUSES } from '../domain/booking-status.js';
import { nightOf, nightsBetween, startOfDayUtc, type StayDates } from '../domain/stay.js';
import { startsWithPattern } from '../domain/text.js';
import { heldNightsOfProperty } from '../db/night-ledger.js';
import { Booking, NightHold, Property, type PropertyDoc } from '../db/models.js';
import type { AuthUser } from './accounts.js';
import { DomainError, forbidden, notFound } from '../domain/errors.js';

export interface PropertyInput {
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

export const PROPERTY_SORTS = ['price_asc', 'price_desc', 'newest'] as const;
export type PropertySort = (typeof PROPERTY_SORTS)[number];

/** What a traveler searches by; every field but the paging and the order is optional. */
export interface PropertySearch {
  /** Start of the city's name, any case. */
  city?: string;
  minPrice?: number;
  maxPrice?: number;
  /** The property must sleep at least this many. */
  guests?: number;
  type?: string;
  /** The property must offer every one of these. */
  amenities?: string[];
  bedrooms?: number;
  /** The property must have every night of this stay free. */
  stay?: StayDates;
  sort: PropertySort;
  page: number;
  limit: number;
}

// `_id` breaks ties so that pages never repeat or skip a listing with the same price or time.
const SORT_ORDERS: Record<PropertySort, Record<string, 1 | -1>> = {
  price_asc: { pricePerNight: 1, _id: 1 },
  price_desc: { pricePerNight: -1, _id: -1 },
  newest: { createdAt: -1, _id: -1 },
};

export function propertyView(p: PropertyDoc) {
  return {
    id: p._id.toString(),
    ownerId: p.ownerId.toString(),
    name: p.name,
    type: p.type,
    description: p.description,
    address: p.address,
    city: p.city,
    state: p.state,
    country: p.country,
    zipcode: p.zipcode,
    bedrooms: p.bedrooms,
    bathrooms: p.bathrooms,
    maxGuests: p.maxGuests,
    amenities: p.amenities,
    images: p.images,
    pricePerNight: p.pricePerNight,
    cleaningFee: p.cleaningFee,
    serviceFee: p.serviceFee,
    available: p.available,
  };
}

/** An owner's listings, newest first (at most 500). */
export async function listOwnerProperties(owner: AuthUser) {
  const mine = await Property.find({ ownerId: new mongoose.Types.ObjectId(owner.id) })
    .sort({ createdAt: -1 })
    .limit(500)
    .lean<PropertyDoc[]>();
  return mine.map(propertyView);
}

export async function createProperty(owner: AuthUser, input: PropertyInput) {
  const created = await Property.create({
    ...input,
    cityLower: input.city.toLowerCase(),
    ownerId: new mongoose.Types.ObjectId(owner.id),
  });
  return propertyView(created.toObject());
}

export async function findProperty(id: string) {
  const property = mongoose.isValidObjectId(id) ? await Property.findById(id).lean() : null;
  if (!property) throw notFound('Property');
  return propertyView(property);
}

/** 404 when the property does not exist, 403 when it is someone else's. */
async function requireOwnProperty(owner: AuthUser, propertyId: string): Promise<void> {
  const property = await Property.findById(propertyId).select({ ownerId: 1 }).lean();
  if (!property) throw notFound('Property');
  if (property.ownerId.toString() !== owner.id) {
    throw forbidden('This property belongs to another owner');
  }
}

/** The fields an owner sent, without the ones left out, plus the derived `cityLower`. */
function propertyChanges(changes: Partial<PropertyInput>): Record<string, unknown> {
  const sent = Object.entries(changes).filter(([, value]) => value !== undefined);
  const set: Record<string, unknown> = Object.fromEntries(sent);
  if (changes.city !== undefined) set.cityLower = changes.city.toLowerCase();
  return set;
}

export async function updateProperty(
  owner: AuthUser,
  propertyId: string,
  changes: Partial<PropertyInput>,
) {
  await requireOwnProperty(owner, propertyId);
  // The owner is part of the filter too, so the check and the write cannot disagree.
  const updated = await Property.findOneAndUpdate(
    { _id: propertyId, ownerId: owner.id },
    { $set: propertyChanges(changes) },
    { returnDocument: 'after', runValidators: true },
  ).lean();
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
  const id = new mongoose.Types.ObjectId(propertyId);
  const today = nightOf(startOfDayUtc(new Date()));
  const [liveBooking, upcomingHold] = await Promise.all([
    Booking.exists({ propertyId: id, status: { $in: [...LIVE_STATUSES] } }),
    NightHold.exists({ propertyId: id, night: { $gte: today } }),
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
  const { deletedCount } = await Property.deleteOne({ _id: propertyId, ownerId: owner.id });
  if (deletedCount === 0) throw notFound('Property');
}

/** Properties with at least one night of the stay held by a booking. */
async function propertiesHeldDuring(stay: StayDates) {
  return NightHold.distinct('propertyId', { night: { $in: nightsBetween(stay) } });
}

function priceRange(min?: number, max?: number) {
  if (min === undefined && max === undefined) return undefined;
  return {
    ...(min === undefined ? {} : { $gte: min }),
    ...(max === undefined ? {} : { $lte: max }),
  };
}

/** The Mongo filter of a search; only properties their owners keep available are found. */
async function searchFilter(search: PropertySearch): Promise<QueryFilter<PropertyDoc>> {
  const filter: QueryFilter<PropertyDoc> = { available: true };
  // An anchored prefix on the lowercased copy: case-insensitive, index-friendly, and the
  // traveler's text is escaped so it is never read as a pattern.
  if (search.city) filter.cityLower = { $regex: startsWithPattern(search.city.toLowerCase()) };
  const price = priceRange(search.minPrice, search.maxPrice);
  if (price) filter.pricePerNight = price;
  if (search.guests !== undefined) filter.maxGuests = { $gte: search.guests };
  if (search.bedrooms !== undefined) filter.bedrooms = { $gte: search.bedrooms };
  if (search.type !== undefined) filter.type = search.type;
  if (search.amenities?.length) filter.amenities = { $all: search.amenities };
  if (search.stay) filter._id = { $nin: await propertiesHeldDuring(search.stay) };
  return filter;
}

export async function searchProperties(search: PropertySearch) {
  const filter = await searchFilter(search);
  const [properties, total] = await Promise.all([
    Property.find(filter)
      .sort(SORT_ORDERS[search.sort])
      .skip((search.page - 1) * search.limit)
      .limit(search.limit)
      .lean(),
    Property.countDocuments(filter),
  ]);
  return {
    properties: properties.map(propertyView),
    page: search.page,
    limit: search.limit,
    total,
  };
}

export async function bookedDates(propertyId: string) {
  await findProperty(propertyId);
  return { propertyId, bookedNights: await heldNightsOfProperty(propertyId) };
}
