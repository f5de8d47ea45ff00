/** A traveler's trips by status, with **Cancel booking** (and a reason) where it still applies. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { BookingCard } from '../components/BookingCard';
import { ReasonDialog } from '../components/ReasonDialog';
import { Empty, ErrorNote, Loading } from '../components/Status';
import { Tabs } from '../components/Tabs';
import { api, call } from '../lib/api';
import type { Booking, BookingStatus } from '../lib/types';

const TABS = [
  { key: 'pending', label: 'Pending', statuses: ['PENDING'] },
  { key: 'accepted', label: 'Accepted', statuses: ['ACCEPTED'] },
  { key: 'cancelled', label: 'Cancelled', statuses: ['CANCELLED', 'REJECTED', 'EXPIRED'] },
  { key: 'past', label: 'Past', statuses: ['COMPLETED'] },
] as const satisfies { key: string; label: string; statuses: BookingStatus[] }[];

/** A traveler may cancel a pending stay, or an accepted one before check-in. */
export function cancellable(booking: Booking): boolean {
  return (
    booking.status === 'PENDING' ||
    (booking.status === 'ACCEPTED' && new Date(booking.checkIn).getTime() > Date.now())
  );
}

export function useCancelBooking(onDone: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string | undefined }) =>
      call(api.api.bookings[':id'].cancel.$put({ param: { id }, json: reason ? { reason } : {} })),
    onSuccess: async () => {
      onDone();
      await queryClient.invalidateQueries({ queryKey: ['bookings'] });
      await queryClient.invalidateQueries({ queryKey: ['booking'] });
    },
  });
}

export default function TripsPage() {
  const [params, setParams] = useSearchParams();
  const selected = TABS.find((t) => t.key === params.get('tab'))?.key ?? 'pending';
  const tab = TABS.find((t) => t.key === selected)!;
  const [cancelling, setCancelling] = useState<Booking | null>(null);
  const cancel = useCancelBooking(() => setCancelling(null));
  const status = tab.statuses.join(',');
  const list = useQuery({
    queryKey: ['bookings', 'traveler', status],
    queryFn: () =>
      call(
        api.api.travelers.bookings.$get({
          query: { status, sort: tab.key === 'past' ? 'newest' : 'check_in', limit: '50' },
        }),
      ),
  });
  const pending = list.isPending;
  const error = list.error;
  const bookings = list.data?.bookings ?? [];
  return (
    <section>
      <h1>My trips</h1>
      <Tabs
        label="Trips by status"
        tabs={TABS.map(({ key, label }) => ({ key, label }))}
        selected={selected}
        onSelect={(key) => setParams({ tab: key }, { replace: true })}
      >
        {pending ? (
          <Loading label="Loading your trips…" />
        ) : error ? (
          <ErrorNote error={error} retry={() => void list.refetch()} />
        ) : bookings.length === 0 ? (
          <Empty>
            <p>No {tab.label.toLowerCase()} trips.</p>
            <p>
              <Link to="/">Find a stay</Link>
            </p>
          </Empty>
        ) : (
          <div className="list">
            {bookings.map((booking) => (
              <BookingCard key={booking.id} booking={booking} viewer="traveler">
                {(booking.status === 'PENDING' || booking.status === 'ACCEPTED') && (
                  <Link className="button secondary" to={`/trips/${booking.id}#plan`}>
                    Plan my trip
                  </Link>
                )}
                {cancellable(booking) && (
                  <button
                    type="button"
                    className="button secondary"
                    onClick={() => {
                      cancel.reset();
                      setCancelling(booking);
                    }}
                  >
                    Cancel booking
                  </button>
                )}
              </BookingCard>
            ))}
          </div>
        )}
      </Tabs>
      <ReasonDialog
        open={cancelling !== null}
        title={`Cancel your stay at ${cancelling?.propertyName ?? ''}?`}
        confirmLabel="Cancel booking"
        pending={cancel.isPending}
        error={cancel.error}
        onClose={() => setCancelling(null)}
        onConfirm={(reason) => cancelling && cancel.mutate({ id: cancelling.id, reason })}
      />
    </section>
  );
}
