/** The page the reset email links to (`/reset-password?token=...`); the token can be pasted too. */
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { z } from 'zod';
import { Field } from '../components/Field';
import { ErrorNote } from '../components/Status';
import { api, call } from '../lib/api';
import { ME_KEY } from '../lib/auth';

const schema = z
  .object({
    token: z.string().trim().min(1, 'Paste the token from the email'),
    newPassword: z.string().min(8, 'At least 8 characters').max(200),
    repeat: z.string(),
  })
  .refine((v) => v.newPassword === v.repeat, {
    path: ['repeat'],
    message: 'The two passwords differ',
  });
type Values = z.infer<typeof schema>;

export default function ResetPasswordPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const fromLink = params.get('token') ?? '';
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { token: fromLink },
  });
  const confirm = useMutation({
    mutationFn: ({ token, newPassword }: Values) =>
      call(api.api.auth['password-reset'].confirm.$post({ json: { token, newPassword } })),
    onSuccess: async () => {
      // Every session of the account was revoked, this browser's too.
      queryClient.setQueryData(ME_KEY, null);
      await navigate('/login?reset=done');
    },
  });
  const errors = form.formState.errors;
  return (
    <section className="narrow">
      <h1>Choose a new password</h1>
      <form
        onSubmit={(event) => void form.handleSubmit((v) => confirm.mutate(v))(event)}
        noValidate
      >
        {fromLink ? (
          <input type="hidden" {...form.register('token')} />
        ) : (
          <Field label="Reset token" error={errors.token} hint="From the email we sent you.">
            <input autoComplete="one-time-code" {...form.register('token')} />
          </Field>
        )}
        <Field label="New password" error={errors.newPassword} hint="At least 8 characters.">
          <input type="password" autoComplete="new-password" {...form.register('newPassword')} />
        </Field>
        <Field label="Repeat the new password" error={errors.repeat}>
          <input type="password" autoComplete="new-password" {...form.register('repeat')} />
        </Field>
        {errors.token && fromLink && <p className="error">{errors.token.message}</p>}
        <ErrorNote error={confirm.error} />
        <button type="submit" className="button wide" disabled={confirm.isPending}>
          Set new password
        </button>
      </form>
      <p>
        <Link to="/forgot-password">Send a new link</Link>
      </p>
    </section>
  );
}
