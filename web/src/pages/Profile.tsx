/** My profile: name, phone, bio, and an avatar uploaded as a photo. */
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { Field } from '../components/Field';
import { ErrorNote, Loading, QueryView } from '../components/Status';
import { api, call, upload } from '../lib/api';
import { ME_KEY } from '../lib/auth';
import type { Profile } from '../lib/types';

const schema = z.object({
  name: z.string().trim().min(1, 'Enter your name').max(100),
  phone: z
    .string()
    .trim()
    .max(32)
    .regex(/^[+0-9 ().-]*$/, 'Digits, spaces, +, -, . and parentheses only'),
  bio: z.string().trim().max(2000),
});
type Values = z.infer<typeof schema>;

function Avatar({ profile }: { profile: Profile }) {
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const change = useMutation({
    mutationFn: (file: File) =>
      upload<{ profile: Profile }>(api.api.auth.profile.avatar.$url(), 'PUT', file),
    onSuccess: (answer) => queryClient.setQueryData(['profile'], answer),
    onSettled: () => input.current && (input.current.value = ''),
  });
  return (
    <section aria-labelledby="avatar-heading" className="avatar-editor">
      <h2 id="avatar-heading">Photo</h2>
      {profile.avatarUrl ? (
        <img
          className="avatar-large"
          src={profile.avatarUrl}
          alt="Your profile photo"
          width={96}
          height={96}
        />
      ) : (
        <div className="avatar-large placeholder" aria-hidden="true">
          {profile.name.slice(0, 1).toUpperCase()}
        </div>
      )}
      <label className="field">
        <span>Upload a new photo</span>
        <input
          ref={input}
          type="file"
          accept="image/jpeg,image/png,image/webp"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) change.mutate(file);
          }}
        />
      </label>
      {change.isPending && <Loading label="Uploading…" />}
      {change.isSuccess && (
        <p className="success" role="status">
          Photo changed.
        </p>
      )}
      <ErrorNote error={change.error} />
    </section>
  );
}

function ProfileForm({ profile }: { profile: Profile }) {
  const queryClient = useQueryClient();
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { name: profile.name, phone: profile.phone, bio: profile.bio },
  });
  useEffect(
    () => form.reset({ name: profile.name, phone: profile.phone, bio: profile.bio }),
    [profile, form],
  );
  const save = useMutation({
    mutationFn: (values: Values) => call(api.api.auth.profile.$put({ json: values })),
    onSuccess: async (answer) => {
      queryClient.setQueryData(['profile'], answer);
      await queryClient.invalidateQueries({ queryKey: ME_KEY });
    },
  });
  const errors = form.formState.errors;
  return (
    <form onSubmit={(event) => void form.handleSubmit((v) => save.mutate(v))(event)} noValidate>
      <p className="muted">
        {profile.email} · {profile.role}
      </p>
      <Field label="Name" error={errors.name}>
        <input autoComplete="name" {...form.register('name')} />
      </Field>
      <Field label="Phone" error={errors.phone}>
        <input type="tel" autoComplete="tel" {...form.register('phone')} />
      </Field>
      <Field label="About me" error={errors.bio}>
        <textarea rows={4} {...form.register('bio')} />
      </Field>
      <ErrorNote error={save.error} />
      {save.isSuccess && (
        <p className="success" role="status">
          Saved.
        </p>
      )}
      <button type="submit" className="button" disabled={save.isPending}>
        Save profile
      </button>
    </form>
  );
}

export default function ProfilePage() {
  const profile = useQuery({
    queryKey: ['profile'],
    queryFn: () => call(api.api.auth.profile.$get()),
  });
  return (
    <section className="narrow">
      <h1>My profile</h1>
      <QueryView query={profile} label="Loading your profile…">
        {({ profile: p }) => (
          <>
            <Avatar profile={p} />
            <ProfileForm profile={p} />
          </>
        )}
      </QueryView>
    </section>
  );
}
