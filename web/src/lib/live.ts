/**
 * Live updates from `GET /api/events` (server-sent events): a booking's new status is patched
 * into every cached view of it at once (then refetched), new notifications refresh the bell,
 * and each change is announced to screen readers. The browser reconnects by itself with the
 * last event id; `resync` (events were missed) reloads everything shown.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Booking, BookingStatus } from './types';

export interface BookingStatusEvent {
  bookingId: string;
  propertyId: string;
  propertyName: string;
  status: BookingStatus;
  previousStatus: BookingStatus | null;
  at: string;
  role: 'traveler' | 'owner';
}

function patchBooking(queryClient: QueryClient, event: BookingStatusEvent) {
  const patch = (booking: Booking) =>
    booking.id === event.bookingId ? { ...booking, status: event.status } : booking;
  queryClient.setQueriesData<{ bookings: Booking[] }>({ queryKey: ['bookings'] }, (page) =>
    page?.bookings ? { ...page, bookings: page.bookings.map(patch) } : page,
  );
  queryClient.setQueryData<{ booking: Booking }>(['booking', event.bookingId], (answer) =>
    answer ? { booking: patch(answer.booking) } : answer,
  );
}

export function describeStatusEvent(event: BookingStatusEvent): string {
  if (event.status === 'PENDING' && event.role === 'owner') {
    return `New booking request for ${event.propertyName}`;
  }
  return `Booking at ${event.propertyName} is now ${event.status}`;
}

/** Opens the stream while someone is signed in; returns whether it is live and the last news. */
export function useLiveEvents(userId: string | undefined) {
  const queryClient = useQueryClient();
  const [live, setLive] = useState(false);
  const [news, setNews] = useState('');

  useEffect(() => {
    if (!userId || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/events');
    const refresh = (keys: string[]) =>
      Promise.all(keys.map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
    source.addEventListener('ready', () => setLive(true));
    source.addEventListener('error', () => setLive(false));
    source.addEventListener('booking-status', (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as BookingStatusEvent;
      patchBooking(queryClient, event);
      setNews(describeStatusEvent(event));
      void refresh(['bookings', 'booking', 'owner-listings', 'calendar', 'quote']);
    });
    source.addEventListener('notification', () => void refresh(['notifications']));
    source.addEventListener('resync', () => void queryClient.invalidateQueries());
    return () => {
      source.close();
      setLive(false);
    };
  }, [userId, queryClient]);

  return { live, news };
}
