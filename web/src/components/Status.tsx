/** Loading, empty and error states, the same everywhere. */
import type { ReactNode } from 'react';
import { conflictingNightsOf, messageOf } from '../lib/api';
import { day } from '../lib/format';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="status" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

/** The API's own message, and the taken nights of a 409. */
export function ErrorNote({ error, retry }: { error: unknown; retry?: () => void }) {
  if (!error) return null;
  const nights = conflictingNightsOf(error);
  return (
    <div className="error" role="alert">
      <p>{messageOf(error)}</p>
      {nights.length > 0 && (
        <p>
          Taken nights: <strong>{nights.map(day).join(', ')}</strong>
        </p>
      )}
      {retry && (
        <button type="button" className="button secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** Renders a query's loading and error states, or its data. */
export function QueryView<T>({
  query,
  children,
  label,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  children: (data: T) => ReactNode;
  label?: string;
}) {
  if (query.isPending) return <Loading label={label} />;
  if (query.error || query.data === undefined) {
    return <ErrorNote error={query.error} retry={() => void query.refetch()} />;
  }
  return <>{children(query.data)}</>;
}
