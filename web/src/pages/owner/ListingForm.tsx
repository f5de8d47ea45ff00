/**
 * Create or edit a listing: its fields, fees and availability; its photos (upload, drag to
 * reorder or move with the buttons, delete; the first is the cover); and deleting it, which
 * the API refuses (409, its message shown) while a booking of it is pending or accepted.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useNavigate, useParams } from 'react-router';
import { z } from 'zod';
import { Field } from '../../components/Field';
import { ErrorNote, Loading } from '../../components/Status';
import { api, call, upload } from '../../lib/api';
import type { Photo, Property } from '../../lib/types';
import { AMENITIES, PROPERTY_TYPES } from '../Home';

const count = (label: string, min: number) =>
  z
    .number({ error: `Enter the number of ${label}` })
    .int()
    .min(min)
    .max(100);
const fee = z.number({ error: 'Enter an amount (0 for none)' }).min(0).max(1_000_000);

const schema = z.object({
  name: z.string().trim().min(1, 'Give the listing a name').max(200),
  type: z.string().trim().min(1, 'Choose a type').max(50),
  description: z.string().trim().max(5000),
  address: z.string().trim().max(300),
  city: z.string().trim().min(1, 'Enter the city').max(100),
  state: z.string().trim().max(100),
  country: z.string().trim().min(1, 'Enter the country').max(100),
  zipcode: z.string().trim().max(20),
  bedrooms: count('bedrooms', 0),
  bathrooms: count('bathrooms', 0),
  maxGuests: count('guests', 1),
  amenities: z.array(z.string()),
  pricePerNight: z
    .number({ error: 'Enter the price per night' })
    .positive('Must be above 0')
    .max(1_000_000),
  cleaningFee: fee,
  serviceFee: fee,
  available: z.boolean(),
});
type Values = z.infer<typeof schema>;

const EMPTY: Values = {
  name: '',
  type: 'apartment',
  description: '',
  address: '',
  city: '',
  state: '',
  country: '',
  zipcode: '',
  bedrooms: 1,
  bathrooms: 1,
  maxGuests: 2,
  amenities: ['wifi'],
  pricePerNight: 100,
  cleaningFee: 0,
  serviceFee: 0,
  available: true,
};

function valuesOf(p: Property): Values {
  const { name, type, description, address, city, state, country, zipcode } = p;
  const { bedrooms, bathrooms, maxGuests, amenities, pricePerNight, cleaningFee, serviceFee } = p;
  return {
    ...{ name, type, description, address, city, state, country, zipcode },
    ...{ bedrooms, bathrooms, maxGuests, amenities, pricePerNight, cleaningFee, serviceFee },
    available: p.available,
  };
}

function move<T>(items: T[], from: number, to: number): T[] {
  const copy = [...items];
  const [item] = copy.splice(from, 1);
  if (item !== undefined) copy.splice(to, 0, item);
  return copy;
}

function Photos({ property }: { property: Property }) {
  const queryClient = useQueryClient();
  const [photos, setPhotos] = useState<Photo[]>(property.photos);
  const [dragged, setDragged] = useState<number | null>(null);
  const [announce, setAnnounce] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const id = property.id;
  // The server's order wins whenever it changes (after an upload, a move, a delete).
  const [serverPhotos, setServerPhotos] = useState(property.photos);
  if (serverPhotos !== property.photos) {
    setServerPhotos(property.photos);
    setPhotos(property.photos);
  }
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['property', id] });

  const add = useMutation({
    mutationFn: async (files: File[]) => {
      let latest = photos;
      for (const file of files) {
        const url = api.api.properties[':id'].photos.$url({ param: { id } });
        latest = (await upload<{ photos: Photo[] }>(url, 'POST', file)).photos;
        setPhotos(latest);
      }
      return latest;
    },
    onSettled: refresh,
  });
  const order = useMutation({
    mutationFn: (next: Photo[]) =>
      call(
        api.api.properties[':id'].photos.order.$put({
          param: { id },
          json: { photoIds: next.map((p) => p.id) },
        }),
      ),
    onMutate: (next) => setPhotos(next),
    onError: () => setPhotos(property.photos),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (photoId: string) =>
      call(api.api.properties[':id'].photos[':photoId'].$delete({ param: { id, photoId } })),
    onSuccess: (_answer, photoId) => setPhotos((list) => list.filter((p) => p.id !== photoId)),
    onSettled: refresh,
  });
  const reorder = (from: number, to: number) => {
    if (to < 0 || to >= photos.length || from === to) return;
    order.mutate(move(photos, from, to));
    setAnnounce(`Photo ${from + 1} moved to place ${to + 1}${to === 0 ? ', now the cover' : ''}`);
  };

  return (
    <section aria-labelledby="photos-heading" className="photos-editor">
      <h2 id="photos-heading">Photos</h2>
      <p className="muted small">
        The first photo is the cover. Drag a photo to reorder, or use its buttons.
      </p>
      {photos.length === 0 ? (
        <p className="muted">No photos yet.</p>
      ) : (
        <ol className="photo-grid" data-testid="photo-list">
          {photos.map((photo, index) => (
            <li
              key={photo.id}
              draggable
              data-photo-id={photo.id}
              className={dragged === index ? 'dragging' : undefined}
              onDragStart={(event) => {
                setDragged(index);
                event.dataTransfer.effectAllowed = 'move';
                event.dataTransfer.setData('text/plain', String(index));
              }}
              onDragOver={(event) => event.preventDefault()}
              onDrop={(event) => {
                event.preventDefault();
                const from = dragged ?? Number(event.dataTransfer.getData('text/plain'));
                setDragged(null);
                reorder(from, index);
              }}
              onDragEnd={() => setDragged(null)}
            >
              <img
                src={photo.urls.thumb}
                alt={`Photo ${index + 1}${index === 0 ? ' (cover)' : ''}`}
                width={160}
                height={107}
              />
              <div className="photo-actions">
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Move photo ${index + 1} earlier`}
                  disabled={index === 0 || order.isPending}
                  onClick={() => reorder(index, index - 1)}
                >
                  ←
                </button>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Move photo ${index + 1} later`}
                  disabled={index === photos.length - 1 || order.isPending}
                  onClick={() => reorder(index, index + 1)}
                >
                  →
                </button>
                <button
                  type="button"
                  className="icon-button danger"
                  aria-label={`Delete photo ${index + 1}`}
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(photo.id)}
                >
                  ✕
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
      <p className="visually-hidden" role="status">
        {announce}
      </p>
      <label className="field">
        <span>Add photos (JPEG, PNG or WebP, up to 10 MiB each)</span>
        <input
          ref={input}
          type="file"
          accept="image/jpeg,image/png,image/webp"
          multiple
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            if (files.length > 0)
              add.mutate(files, { onSettled: () => input.current && (input.current.value = '') });
          }}
        />
      </label>
      {add.isPending && <Loading label="Uploading…" />}
      <ErrorNote error={add.error ?? order.error ?? remove.error} />
    </section>
  );
}

function DeleteListing({ property }: { property: Property }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => call(api.api.properties[':id'].$delete({ param: { id: property.id } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['owner-listings'] });
      await navigate('/owner');
    },
  });
  return (
    <section aria-labelledby="delete-heading" className="danger-zone">
      <h2 id="delete-heading">Delete this listing</h2>
      {confirming ? (
        <p className="row wrap">
          <span>Delete {property.name} for good?</span>
          <button
            type="button"
            className="button danger"
            disabled={remove.isPending}
            onClick={() => remove.mutate()}
          >
            Yes, delete it
          </button>
          <button type="button" className="button secondary" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </p>
      ) : (
        <button
          type="button"
          className="button danger"
          onClick={() => {
            remove.reset();
            setConfirming(true);
          }}
        >
          Delete listing
        </button>
      )}
      <ErrorNote error={remove.error} />
    </section>
  );
}

export default function ListingFormPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const existing = useQuery({
    queryKey: ['property', id],
    queryFn: () => call(api.api.properties[':id'].$get({ param: { id: id! } })),
    enabled: Boolean(id),
  });
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: EMPTY });
  const loaded = existing.data?.property;
  useEffect(() => {
    if (loaded) form.reset(valuesOf(loaded));
  }, [loaded, form]);
  const [files, setFiles] = useState<File[]>([]);
  const [uploaded, setUploaded] = useState(0);

  const save = useMutation({
    mutationFn: async (values: Values) => {
      if (id) {
        return (await call(api.api.properties[':id'].$put({ param: { id }, json: values })))
          .property;
      }
      const { property } = await call(api.api.properties.$post({ json: values }));
      for (const file of files) {
        const url = api.api.properties[':id'].photos.$url({ param: { id: property.id } });
        await upload(url, 'POST', file);
        setUploaded((n) => n + 1);
      }
      return property;
    },
    onSuccess: async (property) => {
      await queryClient.invalidateQueries({ queryKey: ['owner-listings'] });
      await queryClient.invalidateQueries({ queryKey: ['property', property.id] });
      await queryClient.invalidateQueries({ queryKey: ['properties'] });
      if (!id) await navigate(`/owner/listings/${property.id}/edit?created=1`);
    },
  });

  if (id && existing.isPending) return <Loading label="Loading the listing…" />;
  if (id && existing.error)
    return <ErrorNote error={existing.error} retry={() => void existing.refetch()} />;
  const errors = form.formState.errors;
  const num = { valueAsNumber: true } as const;
  const created = new URLSearchParams(location.search).has('created');

  return (
    <section className="narrow wide-ok">
      <p>
        <Link to="/owner">← Dashboard</Link>
      </p>
      <h1>{id ? `Edit ${loaded?.name ?? 'listing'}` : 'New listing'}</h1>
      {created && (
        <p className="success" role="status">
          Listed. Travelers can find it now.
        </p>
      )}
      <form onSubmit={(event) => void form.handleSubmit((v) => save.mutate(v))(event)} noValidate>
        <Field label="Name" error={errors.name}>
          <input {...form.register('name')} />
        </Field>
        <div className="row wrap">
          <Field label="Type" error={errors.type}>
            <select {...form.register('type')}>
              {PROPERTY_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Guests at most" error={errors.maxGuests}>
            <input type="number" min={1} max={100} {...form.register('maxGuests', num)} />
          </Field>
          <Field label="Bedrooms" error={errors.bedrooms}>
            <input type="number" min={0} max={100} {...form.register('bedrooms', num)} />
          </Field>
          <Field label="Bathrooms" error={errors.bathrooms}>
            <input type="number" min={0} max={100} {...form.register('bathrooms', num)} />
          </Field>
        </div>
        <Field label="Description" error={errors.description}>
          <textarea rows={4} {...form.register('description')} />
        </Field>
        <Field label="Street address" error={errors.address}>
          <input autoComplete="street-address" {...form.register('address')} />
        </Field>
        <div className="row wrap">
          <Field label="City" error={errors.city}>
            <input {...form.register('city')} />
          </Field>
          <Field label="State or region" error={errors.state}>
            <input {...form.register('state')} />
          </Field>
          <Field label="Country" error={errors.country}>
            <input autoComplete="country-name" {...form.register('country')} />
          </Field>
          <Field label="Postcode" error={errors.zipcode}>
            <input autoComplete="postal-code" {...form.register('zipcode')} />
          </Field>
        </div>
        <fieldset className="amenities">
          <legend>Amenities</legend>
          {AMENITIES.map((amenity) => (
            <label key={amenity} className="check">
              <input type="checkbox" value={amenity} {...form.register('amenities')} /> {amenity}
            </label>
          ))}
        </fieldset>
        <div className="row wrap">
          <Field label="Price per night" error={errors.pricePerNight}>
            <input type="number" min={1} step="0.01" {...form.register('pricePerNight', num)} />
          </Field>
          <Field label="Cleaning fee" error={errors.cleaningFee}>
            <input type="number" min={0} step="0.01" {...form.register('cleaningFee', num)} />
          </Field>
          <Field label="Service fee" error={errors.serviceFee}>
            <input type="number" min={0} step="0.01" {...form.register('serviceFee', num)} />
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" {...form.register('available')} /> Taking bookings (uncheck to make
          the listing unavailable)
        </label>
        {!id && (
          <label className="field">
            <span>Photos (JPEG, PNG or WebP; the first is the cover)</span>
            <input
              type="file"
              accept="image/jpeg,image/png,image/webp"
              multiple
              onChange={(event) => setFiles([...(event.target.files ?? [])])}
            />
          </label>
        )}
        <ErrorNote error={save.error} />
        {save.isPending && files.length > 0 && !id && (
          <p role="status">
            Uploading photos: {uploaded} of {files.length}
          </p>
        )}
        {save.isSuccess && id && (
          <p className="success" role="status">
            Saved.
          </p>
        )}
        <button type="submit" className="button" disabled={save.isPending}>
          {id ? 'Save changes' : 'Create listing'}
        </button>
      </form>
      {loaded && <Photos property={loaded} />}
      {loaded && <DeleteListing property={loaded} />}
    </section>
  );
}
