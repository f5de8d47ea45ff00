import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { PropertyCard } from '../components/PropertyCard';
import { Empty, QueryView } from '../components/Status';
import { api, call } from '../lib/api';

export default function FavoritesPage() {
  const favorites = useQuery({
    queryKey: ['favorites'],
    queryFn: () => call(api.api.travelers.favorites.$get({ query: { limit: '100' } })),
  });
  return (
    <section>
      <h1>Favorites</h1>
      <QueryView query={favorites} label="Loading your favorites…">
        {({ favorites: list }) =>
          list.length === 0 ? (
            <Empty>
              <p>No favorites yet: tap the heart on a stay to keep it here.</p>
              <p>
                <Link to="/">Find a stay</Link>
              </p>
            </Empty>
          ) : (
            <div className="grid">
              {list.map(({ property }) => (
                <PropertyCard key={property.id} property={property} />
              ))}
            </div>
          )
        }
      </QueryView>
    </section>
  );
}
