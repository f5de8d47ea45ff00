/** One booking in a list: stay, price, status, and the actions its viewer may take. */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { day, money, plural, timeLeft, dateTime } from '../lib/format';
import type { Booking } from '../lib/types';

export function StatusBadge({ status }: { status: Booking['status'] }) {
  return (
    <span className={`badge-status ${status.toLowerCase()}`} data-testid="booking-status">
      {status}
    </span>
  );
}

export function Deadline({ booking }: { booking: Booking }) {
  if (booking.status !== 'PENDING') return null;
  return (
    <p className="small">
      Decision due <strong>{dateTime(booking.ownerDecisionDeadline)}</strong> (
      {timeLeft(booking.ownerDecisionDeadline)})
    </p>
  );
}

export function BookingCard({
  booking,
  viewer,
  children,
}: {
  booking: Booking;
  viewer: 'traveler' | 'owner';
  children?: ReactNode;
}) {
  return (
    <article
      className="booking-card"
      aria-labelledby={`booking-${booking.id}`}
      data-booking-id={booking.id}
    >
      <div className="booking-head">
        <h3 id={`booking-${booking.id}`}>
          <Link to={`/trips/${booking.id}`}>{booking.propertyName}</Link>
        </h3>
        <StatusBadge status={booking.status} />
      </div>
      <p>
        {day(booking.checkIn)} → {day(booking.checkOut)} · {plural(booking.nights, 'night')} ·{' '}
        {plural(booking.guests, 'guest')}
      </p>
      <p>
        {viewer === 'owner' && <>Guest: {booking.travelerName} · </>}
        Total <strong>{money(booking.totalPrice)}</strong>
      </p>
      <Deadline booking={booking} />
      {children && <div className="actions">{children}</div>}
    </article>
  );
}
