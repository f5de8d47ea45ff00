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
  email: z.email('Enter your email address'),
  password: z.string().min(1, 'Enter your password'),
});
type Values = z.infer<typeof schema>;

export default function LogInPage() {
  const [params] = useSearchParams();
  const openSession = useOpenSession();
  const form = useForm<Values>({ resolver: zodResolver(schema) });
  const logIn = useMutation({
    mutationFn: (values: Values) => call(api.api.auth.login.$post({ json: values })),
    onSuccess: openSession,
  });
  const errors = form.formState.errors;
  return (
    <section className="narrow">
      <h1>Log in</h1>
      {params.get('reset') === 'done' && (
        <p className="success" role="status">
          Your password is changed. Log in with the new one.
        </p>
      )}
      <form onSubmit={(event) => void form.handleSubmit((v) => logIn.mutate(v))(event)} noValidate>
        <Field label="Email" error={errors.email}>
          <input type="email" autoComplete="email" {...form.register('email')} />
        </Field>
        <Field label="Password" error={errors.password}>
          <input type="password" autoComplete="current-password" {...form.register('password')} />
        </Field>
        <ErrorNote error={logIn.error} />
        <button type="submit" className="button wide" disabled={logIn.isPending}>
          {logIn.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New here? <Link to="/signup">Sign up</Link>
      </p>
    </section>
  );
}
