/** A listing as every API answer shows it, photos and the viewer's favorite heart included. */
import type { PropertyDoc } from '../db/properties.js';
import { listingPhotosView } from './photos.js';

/** A listing as the API shows it; `isFavorite` is the viewer's (always false for owners). */
export function propertyView(p: PropertyDoc, isFavorite = false) {
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
    ...listingPhotosView(p.photos),
    isFavorite,
  };
}
