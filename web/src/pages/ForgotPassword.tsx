import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { z } from 'zod';
import { Field } from '../components/Field';
import { ErrorNote } from '../components/Status';
import { api, call } from '../lib/api';

const schema = z.object({ email: z.email('Enter your email address') });
type Values = z.infer<typeof schema>;

export default function ForgotPasswordPage() {
  const form = useForm<Values>({ resolver: zodResolver(schema) });
  const request = useMutation({
    mutationFn: (values: Values) =>
      call(api.api.auth['password-reset'].request.$post({ json: values })),
  });
  return (
    <section className="narrow">
      <h1>Forgot your password?</h1>
      {request.isSuccess ? (
        <div className="success" role="status">
          <p>{request.data.message}</p>
          <p>Open the email and follow its link to choose a new password.</p>
          <p>
            <Link to="/reset-password">I have a reset token</Link>
          </p>
        </div>
      ) : (
        <form
          onSubmit={(event) => void form.handleSubmit((v) => request.mutate(v))(event)}
          noValidate
        >
          <p>We will email you a link to choose a new one.</p>
          <Field label="Email" error={form.formState.errors.email}>
            <input type="email" autoComplete="email" {...form.register('email')} />
          </Field>
          <ErrorNote error={request.error} />
          <button type="submit" className="button wide" disabled={request.isPending}>
            Send reset link
          </button>
        </form>
      )}
      <p>
        <Link to="/login">Back to log in</Link>
      </p>
    </section>
  );
}
