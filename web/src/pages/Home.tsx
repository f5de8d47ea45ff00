/**
 * Home: search by city, dates, guests, price range, type, amenities and sort, paged; the
 * criteria live in the address (shareable, back button works) and the server does the search.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useSearchParams } from 'react-router';
import { PropertyCard } from '../components/PropertyCard';
import { Empty, ErrorNote, Loading } from '../components/Status';
import { StayPicker, type Stay } from '../components/StayPicker';
import { api, call } from '../lib/api';
import { addDays, isoDay, plural } from '../lib/format';

export const PROPERTY_TYPES = ['apartment', 'house', 'villa', 'loft', 'cottage', 'cabin', 'room'];
export const AMENITIES = ['wifi', 'kitchen', 'pool', 'parking', 'washer', 'garden', 'breakfast'];
const SORTS = [
  { value: 'newest', label: 'Newest first' },
  { value: 'price_asc', label: 'Price: low to high' },
  { value: 'price_desc', label: 'Price: high to low' },
] as const;
const PAGE_SIZE = 12;

interface SearchForm {
  city: string;
  guests: string;
  minPrice: string;
  maxPrice: string;
  type: string;
  amenities: string[];
  sort: string;
}

const FIELDS = ['city', 'guests', 'minPrice', 'maxPrice', 'type', 'sort'] as const;

function formOf(params: URLSearchParams): SearchForm {
  return {
    city: params.get('city') ?? '',
    guests: params.get('guests') ?? '',
    minPrice: params.get('minPrice') ?? '',
    maxPrice: params.get('maxPrice') ?? '',
    type: params.get('type') ?? '',
    amenities: (params.get('amenities') ?? '').split(',').filter(Boolean),
    sort: params.get('sort') ?? 'newest',
  };
}

export function HomePage() {
  const [params, setParams] = useSearchParams();
  const [stay, setStay] = useState<Partial<Stay>>({
    checkIn: params.get('checkIn') ?? undefined,
    checkOut: params.get('checkOut') ?? undefined,
  });
  const [showCalendar, setShowCalendar] = useState(false);
  const form = useForm<SearchForm>({ defaultValues: formOf(params) });
  const paramsText = params.toString();
  // The address is the truth: back, forward or a link puts its criteria in the form.
  const [shownParams, setShownParams] = useState(paramsText);
  if (shownParams !== paramsText) {
    setShownParams(paramsText);
    setStay({
      checkIn: params.get('checkIn') ?? undefined,
      checkOut: params.get('checkOut') ?? undefined,
    });
  }
  useEffect(() => form.reset(formOf(new URLSearchParams(paramsText))), [paramsText, form]);

  const page = Number(params.get('page') ?? '1') || 1;
  const query = Object.fromEntries(
    [...params.entries()].filter(([key, value]) => key !== 'page' && value !== ''),
  ) as Record<string, string>;
  const results = useQuery({
    queryKey: ['properties', paramsText],
    queryFn: () =>
      call(
        api.api.properties.$get({
          query: { ...query, page: String(page), limit: String(PAGE_SIZE) },
        }),
      ),
    placeholderData: keepPreviousData,
  });

  const onSubmit = form.handleSubmit((values) => {
    const next = new URLSearchParams();
    for (const field of FIELDS) {
      const value = values[field].trim();
      if (value && !(field === 'sort' && value === 'newest')) next.set(field, value);
    }
    if (values.amenities.length > 0) next.set('amenities', values.amenities.join(','));
    if (stay.checkIn && stay.checkOut) {
      next.set('checkIn', stay.checkIn);
      next.set('checkOut', stay.checkOut);
    }
    setParams(next);
  });
  const goToPage = (to: number) => {
    const next = new URLSearchParams(params);
    next.set('page', String(to));
    setParams(next);
    window.scrollTo({ top: 0 });
  };

  const today = isoDay(new Date());
  const stayQuery =
    params.get('checkIn') && params.get('checkOut')
      ? `?checkIn=${params.get('checkIn')}&checkOut=${params.get('checkOut')}${params.get('guests') ? `&guests=${params.get('guests')}` : ''}`
      : '';
  const data = results.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  const errors = form.formState.errors;

  return (
    <>
      <section className="hero">
        <h1>Find a stay</h1>
        <form
          className="search"
          onSubmit={(event) => void onSubmit(event)}
          role="search"
          aria-label="Stays"
        >
          <div className="row wrap">
            <label className="field grow">
              <span>Where</span>
              <input
                type="search"
                placeholder="City"
                autoComplete="off"
                {...form.register('city')}
              />
            </label>
            <label className="field">
              <span>Guests</span>
              <input
                type="number"
                min={1}
                max={100}
                inputMode="numeric"
                {...form.register('guests', { min: { value: 1, message: 'At least 1 guest' } })}
                aria-invalid={errors.guests ? true : undefined}
              />
            </label>
            <div className="field">
              <span id="dates-label">Dates</span>
              <button
                type="button"
                className="button secondary"
                aria-expanded={showCalendar}
                aria-controls="search-dates"
                aria-describedby="dates-label"
                onClick={() => setShowCalendar((shown) => !shown)}
              >
                {stay.checkIn && stay.checkOut ? `${stay.checkIn} → ${stay.checkOut}` : 'Any dates'}
              </button>
            </div>
          </div>
          <div id="search-dates" hidden={!showCalendar}>
            <StayPicker
              idPrefix="search"
              value={stay}
              onChange={setStay}
              first={addDays(today, 1)}
              last={addDays(today, 730)}
            />
            {(stay.checkIn || stay.checkOut) && (
              <button type="button" className="link" onClick={() => setStay({})}>
                Clear dates
              </button>
            )}
          </div>
          <details className="filters">
            <summary>More filters</summary>
            <div className="row wrap">
              <label className="field">
                <span>Min price per night</span>
                <input type="number" min={0} inputMode="decimal" {...form.register('minPrice')} />
              </label>
              <label className="field">
                <span>Max price per night</span>
                <input type="number" min={0} inputMode="decimal" {...form.register('maxPrice')} />
              </label>
              <label className="field">
                <span>Type</span>
                <select {...form.register('type')}>
                  <option value="">Any type</option>
                  {PROPERTY_TYPES.map((type) => (
                    <option key={type} value={type}>
                      {type}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <fieldset className="amenities">
              <legend>Amenities (all of)</legend>
              {AMENITIES.map((amenity) => (
                <label key={amenity} className="check">
                  <input type="checkbox" value={amenity} {...form.register('amenities')} />{' '}
                  {amenity}
                </label>
              ))}
            </fieldset>
          </details>
          <div className="row wrap end">
            <label className="field">
              <span>Sort</span>
              <select {...form.register('sort')}>
                {SORTS.map((sort) => (
                  <option key={sort.value} value={sort.value}>
                    {sort.label}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="button">
              Search
            </button>
          </div>
          {errors.guests && <p className="error">{errors.guests.message}</p>}
        </form>
      </section>

      <section aria-labelledby="results-heading" aria-busy={results.isFetching}>
        <h2 id="results-heading">{data ? `${plural(data.total, 'stay')} found` : 'Stays'}</h2>
        {results.isPending ? (
          <Loading label="Searching…" />
        ) : results.error ? (
          <ErrorNote error={results.error} retry={() => void results.refetch()} />
        ) : data && data.properties.length === 0 ? (
          <Empty>
            <p>No stay matches. Try another city, other dates or fewer filters.</p>
          </Empty>
        ) : (
          data && (
            <>
              <div className="grid" data-testid="results">
                {data.properties.map((property) => (
                  <PropertyCard key={property.id} property={property} search={stayQuery} />
                ))}
              </div>
              {pages > 1 && (
                <nav className="pager" aria-label="Pages">
                  <button
                    type="button"
                    className="button secondary"
                    disabled={page <= 1}
                    onClick={() => goToPage(page - 1)}
                  >
                    Previous page
                  </button>
                  <span aria-current="page">
                    Page {page} of {pages}
                  </span>
                  <button
                    type="button"
                    className="button secondary"
                    disabled={page >= pages}
                    onClick={() => goToPage(page + 1)}
                  >
                    Next page
                  </button>
                </nav>
              )}
            </>
          )
        )}
      </section>
    </>
  );
}
