/** The owner's dashboard: listings with pending and upcoming counts, revenue by month. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { BarChart } from '../../components/BarChart';
import { Empty, QueryView } from '../../components/Status';
import { api, call } from '../../lib/api';
import { money, plural } from '../../lib/format';

export default function DashboardPage() {
  const listings = useQuery({
    queryKey: ['owner-listings'],
    queryFn: () => call(api.api.owners.properties.$get()),
  });
  const revenue = useQuery({
    queryKey: ['bookings', 'monthly'],
    queryFn: () => call(api.api.owners.bookings.stats.monthly.$get()),
  });
  return (
    <section>
      <div className="row between wrap">
        <h1>My listings</h1>
        <Link className="button" to="/owner/listings/new">
          New listing
        </Link>
      </div>
      <QueryView query={listings} label="Loading your listings…">
        {({ properties }) =>
          properties.length === 0 ? (
            <Empty>
              <p>You have no listing yet.</p>
              <p>
                <Link to="/owner/listings/new">List your first home</Link>
              </p>
            </Empty>
          ) : (
            <ul className="listings">
              {properties.map((p) => (
                <li key={p.id} className="listing-row">
                  {p.coverPhotoUrl ? (
                    <img src={p.coverPhotoUrl} alt="" width={96} height={64} />
                  ) : (
                    <div className="no-photo small-photo" aria-hidden="true" />
                  )}
                  <div className="grow">
                    <h2 className="h3">
                      <Link to={`/properties/${p.id}`}>{p.name}</Link>
                    </h2>
                    <p className="muted small">
                      {p.city} · {money(p.pricePerNight)} per night
                      {!p.available && ' · not taking bookings'}
                    </p>
                  </div>
                  <p className="counts">
                    <Link to={`/owner/requests?status=PENDING&q=${encodeURIComponent(p.name)}`}>
                      {plural(p.pendingBookings, 'pending request')}
                    </Link>
                    <span>{plural(p.upcomingBookings, 'upcoming stay')}</span>
                  </p>
                  <Link
                    className="button secondary small"
                    to={`/owner/listings/${p.id}/edit`}
                    aria-label={`Edit ${p.name}`}
                  >
                    Edit
                  </Link>
                </li>
              ))}
            </ul>
          )
        }
      </QueryView>
      <h2>Revenue</h2>
      <QueryView query={revenue} label="Loading revenue…">
        {(data) => <BarChart months={data.months} currency={data.currency} />}
      </QueryView>
    </section>
  );
}
