/**
 * One listing: gallery, host, amenities, a stay picker fed by the listing's calendar (taken
 * nights greyed out), the server's quote, and **Reserve**. A 409 names the nights taken meanwhile.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { FavoriteButton } from '../components/FavoriteButton';
import { ErrorNote, Loading, QueryView } from '../components/Status';
import { StayPicker, type Stay } from '../components/StayPicker';
import { api, call } from '../lib/api';
import { useMe } from '../lib/auth';
import { addDays, day, isoDay, money, plural } from '../lib/format';
import type { Property } from '../lib/types';

function Gallery({ property }: { property: Property }) {
  const [index, setIndex] = useState(0);
  const photos = property.photos;
  const shown = photos[index];
  if (!shown) {
    return (
      <div className="gallery empty-gallery" aria-label="No photos yet">
        <p className="muted">No photos yet</p>
      </div>
    );
  }
  return (
    <section className="gallery" aria-label="Photos">
      <img
        className="gallery-main"
        src={shown.urls.full}
        alt={`${property.name}, photo ${index + 1} of ${photos.length}`}
        width={shown.width}
        height={shown.height}
      />
      {photos.length > 1 && (
        <ul className="thumbs" aria-label="All photos">
          {photos.map((photo, i) => (
            <li key={photo.id}>
              <button
                type="button"
                aria-label={`Show photo ${i + 1} of ${photos.length}`}
                aria-current={i === index ? 'true' : undefined}
                onClick={() => setIndex(i)}
              >
                <img src={photo.urls.thumb} alt="" width={96} height={64} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Booking({ property }: { property: Property }) {
  const [params, setParams] = useSearchParams();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const id = property.id;
  const stay: Partial<Stay> = {
    checkIn: params.get('checkIn') ?? undefined,
    checkOut: params.get('checkOut') ?? undefined,
  };
  const guests = Math.min(
    property.maxGuests,
    Math.max(1, Number(params.get('guests') ?? '1') || 1),
  );
  const setStay = (next: Partial<Stay>) => {
    const copy = new URLSearchParams(params);
    for (const key of ['checkIn', 'checkOut'] as const) {
      if (next[key]) copy.set(key, next[key]);
      else copy.delete(key);
    }
    setParams(copy, { replace: true });
  };
  const today = isoDay(new Date());
  const calendar = useQuery({
    queryKey: ['calendar', id],
    queryFn: () =>
      call(
        api.api.properties[':id'].calendar.$get({
          param: { id },
          query: { from: today, to: addDays(today, 365) },
        }),
      ),
  });
  const taken = new Set(
    (calendar.data?.days ?? []).filter((d) => d.status === 'taken').map((d) => d.date),
  );
  const complete = stay.checkIn && stay.checkOut ? (stay as Stay) : undefined;
  const quote = useQuery({
    queryKey: ['quote', id, complete?.checkIn, complete?.checkOut, guests],
    queryFn: () =>
      call(
        api.api.properties[':id'].quote.$get({
          param: { id },
          query: {
            checkIn: complete!.checkIn,
            checkOut: complete!.checkOut,
            guests: String(guests),
          },
        }),
      ),
    enabled: Boolean(complete),
  });
  const reserve = useMutation({
    mutationFn: () =>
      call(
        api.api.travelers.bookings.$post({
          header: { 'Idempotency-Key': crypto.randomUUID() },
          json: {
            propertyId: id,
            checkIn: complete!.checkIn,
            checkOut: complete!.checkOut,
            guests,
          },
        }),
      ),
    onSuccess: async ({ booking }) => {
      await queryClient.invalidateQueries({ queryKey: ['bookings'] });
      await queryClient.invalidateQueries({ queryKey: ['calendar', id] });
      await navigate(`/trips/${booking.id}`);
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: ['calendar', id] }),
  });

  const q = quote.data;
  const isOwner = me.data?.role === 'owner';
  return (
    <aside className="booking-box" aria-labelledby="book-heading">
      <h2 id="book-heading">
        {money(property.pricePerNight, q?.currency)} <span className="muted">per night</span>
      </h2>
      {calendar.isPending ? (
        <Loading label="Loading the calendar…" />
      ) : calendar.error ? (
        <ErrorNote error={calendar.error} retry={() => void calendar.refetch()} />
      ) : (
        calendar.data && (
          <StayPicker
            idPrefix="stay"
            value={stay}
            onChange={(next) => {
              reserve.reset();
              setStay(next);
            }}
            taken={taken}
            first={calendar.data.firstCheckIn}
            last={calendar.data.lastCheckIn}
          />
        )
      )}
      <label className="field">
        <span>Guests</span>
        <select
          value={guests}
          onChange={(event) => {
            const copy = new URLSearchParams(params);
            copy.set('guests', event.target.value);
            setParams(copy, { replace: true });
          }}
        >
          {Array.from({ length: property.maxGuests }, (_, i) => i + 1).map((n) => (
            <option key={n} value={n}>
              {plural(n, 'guest')}
            </option>
          ))}
        </select>
      </label>
      {complete && (
        <div className="quote" aria-live="polite" data-testid="quote">
          {quote.isPending ? (
            <Loading label="Pricing your stay…" />
          ) : quote.error ? (
            <ErrorNote error={quote.error} />
          ) : (
            q && (
              <>
                <dl>
                  <div>
                    <dt>
                      {plural(q.nights, 'night')} × {money(q.pricePerNight, q.currency)}
                    </dt>
                    <dd>{money(q.subtotal, q.currency)}</dd>
                  </div>
                  <div>
                    <dt>Cleaning fee</dt>
                    <dd>{money(q.cleaningFee, q.currency)}</dd>
                  </div>
                  <div>
                    <dt>Service fee</dt>
                    <dd>{money(q.serviceFee, q.currency)}</dd>
                  </div>
                  <div className="total">
                    <dt>Total</dt>
                    <dd>{money(q.totalPrice, q.currency)}</dd>
                  </div>
                </dl>
                {!q.nightsFree && (
                  <p className="error" role="alert">
                    Taken meanwhile: {q.conflictingNights.map(day).join(', ')}
                  </p>
                )}
              </>
            )
          )}
        </div>
      )}
      {isOwner ? (
        <p className="muted">Owner accounts cannot book stays.</p>
      ) : me.data ? (
        <button
          type="button"
          className="button wide"
          disabled={!complete || reserve.isPending}
          onClick={() => reserve.mutate()}
        >
          {reserve.isPending ? 'Reserving…' : 'Reserve'}
        </button>
      ) : (
        <p>
          <Link
            className="button wide"
            to={`/login?next=${encodeURIComponent(`/properties/${id}?${params.toString()}`)}`}
          >
            Log in to reserve
          </Link>
        </p>
      )}
      <ErrorNote error={reserve.error} />
      <p className="muted small">The owner has 24 hours to accept; you pay nothing until then.</p>
    </aside>
  );
}

export default function PropertyPage() {
  const { id = '' } = useParams();
  const property = useQuery({
    queryKey: ['property', id],
    queryFn: () => call(api.api.properties[':id'].$get({ param: { id } })),
  });
  return (
    <QueryView query={property} label="Loading the listing…">
      {({ property: p }) => (
        <article className="property">
          <header className="property-head">
            <div>
              <h1>{p.name}</h1>
              <p className="muted">
                {p.type} · {p.city}
                {p.state ? `, ${p.state}` : ''}, {p.country}
              </p>
            </div>
            <FavoriteButton propertyId={p.id} propertyName={p.name} isFavorite={p.isFavorite} />
          </header>
          <Gallery property={p} />
          <div className="property-body">
            <div className="property-info">
              <p>
                {plural(p.maxGuests, 'guest')} · {plural(p.bedrooms, 'bedroom')} ·{' '}
                {plural(p.bathrooms, 'bathroom')}
              </p>
              {!p.available && (
                <p className="error" role="status">
                  This listing is not taking bookings right now.
                </p>
              )}
              <section className="host" aria-labelledby="host-heading">
                <h2 id="host-heading">Your host</h2>
                {p.host ? (
                  <p>
                    {p.host.avatarUrl ? (
                      <img className="avatar" src={p.host.avatarUrl} alt="" />
                    ) : (
                      <span className="avatar" aria-hidden="true">
                        {p.host.name.slice(0, 1).toUpperCase()}
                      </span>
                    )}{' '}
                    <strong>{p.host.name}</strong>, on StaySaga since{' '}
                    {new Date(p.host.memberSince).toLocaleDateString(undefined, {
                      month: 'long',
                      year: 'numeric',
                    })}
                    .
                  </p>
                ) : (
                  <p className="muted">The host’s account is no longer active.</p>
                )}
              </section>
              {p.description && (
                <section aria-labelledby="about-heading">
                  <h2 id="about-heading">About this place</h2>
                  <p className="pre">{p.description}</p>
                </section>
              )}
              <section aria-labelledby="amenities-heading">
                <h2 id="amenities-heading">Amenities</h2>
                {p.amenities.length === 0 ? (
                  <p className="muted">None listed.</p>
                ) : (
                  <ul className="chips">
                    {p.amenities.map((amenity) => (
                      <li key={amenity}>{amenity}</li>
                    ))}
                  </ul>
                )}
              </section>
              {p.address && <p className="muted">{p.address}</p>}
            </div>
            <Booking property={p} />
          </div>
        </article>
      )}
    </QueryView>
  );
}
