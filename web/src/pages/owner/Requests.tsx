/**
 * Incoming requests by status, searchable by guest or listing name: **Approve**, **Reject**
 * (with a reason) and **Cancel** for an accepted stay, each pending one showing its deadline.
 * Decisions are applied by the booking saga: the status changes live when it has.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { BookingCard } from '../../components/BookingCard';
import { ReasonDialog } from '../../components/ReasonDialog';
import { Empty, ErrorNote, Loading } from '../../components/Status';
import { Tabs } from '../../components/Tabs';
import { api, call } from '../../lib/api';
import { isAhead } from '../../lib/format';
import type { Booking, BookingStatus } from '../../lib/types';

const TABS = [
  { key: 'PENDING', label: 'Pending' },
  { key: 'ACCEPTED', label: 'Accepted' },
  { key: 'REJECTED', label: 'Rejected' },
  { key: 'CANCELLED', label: 'Cancelled' },
  { key: 'EXPIRED', label: 'Expired' },
  { key: 'COMPLETED', label: 'Completed' },
] as const satisfies { key: BookingStatus; label: string }[];

type Decision = 'approve' | 'reject' | 'cancel';

function useDecision() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action, reason }: { id: string; action: Decision; reason?: string }) => {
      const request = { param: { id }, json: reason ? { reason } : {} };
      const route = api.api.owners.bookings[':id'];
      return call(
        action === 'approve'
          ? route.approve.$put(request)
          : action === 'reject'
            ? route.reject.$put(request)
            : route.cancel.$put(request),
      );
    },
    onSuccess: () =>
      // The saga applies it within a moment; the live event updates the view, this catches up.
      setTimeout(() => {
        void queryClient.invalidateQueries({ queryKey: ['bookings'] });
        void queryClient.invalidateQueries({ queryKey: ['booking'] });
        void queryClient.invalidateQueries({ queryKey: ['owner-listings'] });
      }, 500),
  });
}

const DECISION_LABELS: Record<Decision, string> = {
  approve: 'Approve',
  reject: 'Reject',
  cancel: 'Cancel',
};

/** One decision's button, named for screen readers by the guest and the listing. */
function DecisionButton(props: {
  booking: Booking;
  action: Decision;
  disabled: boolean;
  primary?: boolean;
  onClick: () => void;
}) {
  const label = DECISION_LABELS[props.action];
  return (
    <button
      type="button"
      className={props.primary ? 'button' : 'button secondary'}
      disabled={props.disabled}
      onClick={props.onClick}
      aria-label={`${label} ${props.booking.travelerName} at ${props.booking.propertyName}`}
    >
      {label}
    </button>
  );
}

/** The decisions an owner may take on one booking. */
export function OwnerActions({ booking }: { booking: Booking }) {
  const decision = useDecision();
  const [asking, setAsking] = useState<Decision | null>(null);
  const sent = decision.isSuccess && decision.variables.id === booking.id;
  const canCancel = booking.status === 'ACCEPTED' && isAhead(booking.checkIn);
  if (booking.status !== 'PENDING' && !canCancel) return null;
  const common = { booking, disabled: decision.isPending || sent };
  const approve = () => decision.mutate({ id: booking.id, action: 'approve' });
  // Reject and cancel ask for a reason first.
  const ask = (action: Decision) => {
    decision.reset();
    setAsking(action);
  };
  return (
    <>
      {booking.status === 'PENDING' && (
        <>
          <DecisionButton {...common} action="approve" onClick={() => approve()} primary />
          <DecisionButton {...common} action="reject" onClick={() => ask('reject')} />
        </>
      )}
      {canCancel && <DecisionButton {...common} action="cancel" onClick={() => ask('cancel')} />}
      {sent && (
        <span className="muted small" role="status">
          Sent; updating…
        </span>
      )}
      {!asking && <ErrorNote error={decision.error} />}
      <ReasonDialog
        open={asking !== null}
        title={
          asking === 'reject'
            ? `Reject the request of ${booking.travelerName}?`
            : `Cancel the stay of ${booking.travelerName}?`
        }
        confirmLabel={asking === 'reject' ? 'Reject' : 'Cancel stay'}
        pending={decision.isPending}
        error={decision.error}
        onClose={() => setAsking(null)}
        onConfirm={(reason) =>
          asking &&
          decision.mutate(
            { id: booking.id, action: asking, reason },
            { onSuccess: () => setAsking(null) },
          )
        }
      />
    </>
  );
}

export default function RequestsPage() {
  const [params, setParams] = useSearchParams();
  const status = TABS.find((t) => t.key === params.get('status'))?.key ?? 'PENDING';
  const q = params.get('q') ?? '';
  const page = Number(params.get('page') ?? '1') || 1;
  const [text, setText] = useState(q);
  const list = useQuery({
    queryKey: ['bookings', 'owner', status, q, page],
    queryFn: () =>
      call(
        api.api.owners.bookings.$get({
          query: {
            status,
            ...(q ? { q } : {}),
            sort: status === 'PENDING' ? 'oldest' : 'check_in',
            page: String(page),
            limit: '20',
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };
  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.limit)) : 1;
  return (
    <section>
      <h1>Booking requests</h1>
      <form
        role="search"
        aria-label="Requests"
        className="row wrap"
        onSubmit={(event) => {
          event.preventDefault();
          update({ q: text.trim(), page: '' });
        }}
      >
        <label className="field grow">
          <span>Guest or listing name</span>
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit" className="button secondary align-end">
          Search requests
        </button>
      </form>
      <Tabs
        label="Requests by status"
        tabs={TABS.map(({ key, label }) => ({ key, label }))}
        selected={status}
        onSelect={(key) => update({ status: key, page: '' })}
      >
        {list.isPending ? (
          <Loading label="Loading requests…" />
        ) : list.error ? (
          <ErrorNote error={list.error} retry={() => void list.refetch()} />
        ) : data && data.bookings.length === 0 ? (
          <Empty>
            <p>
              No {status.toLowerCase()} bookings{q ? ` matching “${q}”` : ''}.
            </p>
          </Empty>
        ) : (
          data && (
            <>
              <div className="list" data-testid="requests">
                {data.bookings.map((booking) => (
                  <BookingCard key={booking.id} booking={booking} viewer="owner">
                    <OwnerActions booking={booking} />
                  </BookingCard>
                ))}
              </div>
              {pages > 1 && (
                <nav className="pager" aria-label="Pages">
                  <button
                    type="button"
                    className="button secondary"
                    disabled={page <= 1}
                    onClick={() => update({ page: String(page - 1) })}
                  >
                    Previous page
                  </button>
                  <span>
                    Page {page} of {pages}
                  </span>
                  <button
                    type="button"
                    className="button secondary"
                    disabled={page >= pages}
                    onClick={() => update({ page: String(page + 1) })}
                  >
                    Next page
                  </button>
                </nav>
              )}
            </>
          )
        )}
      </Tabs>
    </section>
  );
}
