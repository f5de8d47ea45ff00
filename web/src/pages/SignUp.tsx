import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link, useSearchParams } from 'react-router';
import { z } from 'zod';
import { Field } from '../components/Field';
import { ErrorNote } from '../components/Status';
import { api, call } from '../lib/api';
import { useOpenSession } from '../lib/auth';

const schema = z.object({
  name: z.string().trim().min(1, 'Enter your name').max(100),
  email: z.email('Enter a valid email address').max(254),
  password: z.string().min(8, 'At least 8 characters').max(200),
  role: z.enum(['traveler', 'owner']),
});
type Values = z.infer<typeof schema>;

export default function SignUpPage() {
  const [params] = useSearchParams();
  const openSession = useOpenSession();
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { role: params.get('role') === 'owner' ? 'owner' : 'traveler' },
  });
  const signUp = useMutation({
    mutationFn: (values: Values) => call(api.api.auth.signup.$post({ json: values })),
    onSuccess: openSession,
  });
  const errors = form.formState.errors;
  return (
    <section className="narrow">
      <h1>Sign up</h1>
      <form onSubmit={(event) => void form.handleSubmit((v) => signUp.mutate(v))(event)} noValidate>
        <fieldset className="choice">
          <legend>I want to</legend>
          <label className="check">
            <input type="radio" value="traveler" {...form.register('role')} /> Travel (book stays)
          </label>
          <label className="check">
            <input type="radio" value="owner" {...form.register('role')} /> Host (list my home)
          </label>
        </fieldset>
        <Field label="Name" error={errors.name}>
          <input autoComplete="name" {...form.register('name')} />
        </Field>
        <Field label="Email" error={errors.email}>
          <input type="email" autoComplete="email" {...form.register('email')} />
        </Field>
        <Field label="Password" error={errors.password} hint="At least 8 characters.">
          <input type="password" autoComplete="new-password" {...form.register('password')} />
        </Field>
        <ErrorNote error={signUp.error} />
        <button type="submit" className="button wide" disabled={signUp.isPending}>
          {signUp.isPending ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
