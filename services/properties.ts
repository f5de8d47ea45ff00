import mongoose from 'mongoose';
import { heldNightsOfProperty } from '../db/night-ledger.js';
import { Property, type PropertyDoc } from '../db/models.js';
import type { AuthUser } from './accounts.js';
import { notFound } from './errors.js';

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

export async function bookedDates(propertyId: string) {
  await findProperty(propertyId);
  return { propertyId, bookedNights: await heldNightsOfProperty(propertyId) };
}
