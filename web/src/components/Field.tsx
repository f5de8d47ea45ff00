/** A labelled form control with its error, tied together for assistive technology. */
import { useId, type ReactElement, cloneElement, type ReactNode } from 'react';
import type { FieldError } from 'react-hook-form';

export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: FieldError | undefined;
  hint?: ReactNode;
  children: ReactElement<Record<string, unknown>>;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, {
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': described || undefined,
      })}
      {hint && (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      )}
      {error?.message && (
        <small id={`${id}-error`} className="field-error">
          {error.message}
        </small>
      )}
    </div>
  );
}
