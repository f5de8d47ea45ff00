/**
 * A confirmation with an optional reason (cancel, reject): a native <dialog>, so focus is kept
 * inside it and Escape closes it.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { ErrorNote } from './Status';

export function ReasonDialog({
  open,
  title,
  confirmLabel,
  onConfirm,
  onClose,
  pending,
  error,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  onConfirm: (reason: string | undefined) => void;
  onClose: () => void;
  pending: boolean;
  error: unknown;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const id = useId();
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      setReason('');
      element.showModal();
    }
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog ref={dialog} aria-labelledby={`${id}-title`} onClose={onClose} className="dialog">
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          onConfirm(reason.trim() || undefined);
        }}
      >
        <h2 id={`${id}-title`}>{title}</h2>
        <label className="field">
          <span>Reason (optional)</span>
          <textarea
            rows={3}
            maxLength={1000}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </label>
        <ErrorNote error={error} />
        <div className="row end">
          <button type="button" className="button secondary" onClick={onClose}>
            Keep it
          </button>
          <button type="submit" className="button danger" disabled={pending}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
