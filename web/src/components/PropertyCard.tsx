import { Link } from 'react-router';
import { money } from '../lib/format';
import type { Property } from '../lib/types';
import { FavoriteButton } from './FavoriteButton';

export function PropertyCard({
  property,
  search = '',
  currency,
}: {
  property: Property;
  search?: string;
  currency?: string;
}) {
  const photo = property.photos[0];
  return (
    <article className="card" aria-labelledby={`card-${property.id}`}>
      <div className="card-photo">
        {property.coverPhotoUrl ? (
          <img
            src={property.coverPhotoUrl}
            alt={`${property.name}, cover photo`}
            width={photo?.width ? 800 : undefined}
            height={photo ? Math.round((800 * photo.height) / photo.width) : undefined}
            loading="lazy"
          />
        ) : (
          <div className="no-photo" aria-hidden="true">
            No photo yet
          </div>
        )}
        <FavoriteButton
          propertyId={property.id}
          propertyName={property.name}
          isFavorite={property.isFavorite}
        />
      </div>
      <div className="card-body">
        <h3 id={`card-${property.id}`}>
          <Link to={`/properties/${property.id}${search}`}>{property.name}</Link>
        </h3>
        <p className="muted">
          {property.type} in {property.city}, {property.country} · {property.maxGuests} guests
        </p>
        <p className="price">
          <strong>{money(property.pricePerNight, currency)}</strong> per night
        </p>
      </div>
    </article>
  );
}
