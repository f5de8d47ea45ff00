/** One booking, for its traveler or its owner: status (live), stay, price, history, actions. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Deadline, StatusBadge } from '../components/BookingCard';
import { ReasonDialog } from '../components/ReasonDialog';
import { TripChat } from '../components/TripChat';
import { TripPlanner } from '../components/TripPlanner';
import { QueryView } from '../components/Status';
import { api, call } from '../lib/api';
import { useMe } from '../lib/auth';
import { dateTime, day, money, plural } from '../lib/format';
import { OwnerActions } from './owner/Requests';
import { cancellable, useCancelBooking } from './Trips';

export default function TripPage() {
  const { id = '' } = useParams();
  const me = useMe();
  const [cancelling, setCancelling] = useState(false);
  const cancel = useCancelBooking(() => setCancelling(false));
  const booking = useQuery({
    queryKey: ['booking', id],
    queryFn: () => call(api.api.bookings[':id'].$get({ param: { id } })),
  });
  const isOwner = me.data?.role === 'owner';
  return (
    <QueryView query={booking} label="Loading the booking…">
      {({ booking: b }) => (
        <article className="narrow wide-ok">
          <p>
            <Link to={isOwner ? '/owner/requests' : '/trips'}>
              ← {isOwner ? 'All requests' : 'All trips'}
            </Link>
          </p>
          <h1>{b.propertyName}</h1>
          <p className="status-line" aria-live="polite">
            Status: <StatusBadge status={b.status} />
          </p>
          <Deadline booking={b} />
          <dl className="facts">
            <div>
              <dt>Check-in</dt>
              <dd>{day(b.checkIn)}</dd>
            </div>
            <div>
              <dt>Check-out</dt>
              <dd>{day(b.checkOut)}</dd>
            </div>
            <div>
              <dt>Guests</dt>
              <dd>{plural(b.guests, 'guest')}</dd>
            </div>
            <div>
              <dt>Price</dt>
              <dd>
                {plural(b.nights, 'night')} × {money(b.pricePerNight)} + fees{' '}
                {money(b.cleaningFee + b.serviceFee)} = <strong>{money(b.totalPrice)}</strong>
              </dd>
            </div>
            {isOwner && (
              <div>
                <dt>Guest</dt>
                <dd>{b.travelerName}</dd>
              </div>
            )}
          </dl>
          <p>
            <Link to={`/properties/${b.propertyId}`}>See the listing</Link>
          </p>
          <div className="actions">
            {isOwner ? (
              <OwnerActions booking={b} />
            ) : (
              cancellable(b) && (
                <button
                  type="button"
                  className="button secondary"
                  onClick={() => setCancelling(true)}
                >
                  Cancel booking
                </button>
              )
            )}
          </div>
          {!isOwner && (b.status === 'PENDING' || b.status === 'ACCEPTED') && (
            <>
              <TripPlanner booking={b} />
              <TripChat bookingId={b.id} />
            </>
          )}
          <section aria-labelledby="history-heading">
            <h2 id="history-heading">History</h2>
            <ol className="history">
              {b.history.map((step, i) => (
                <li key={i}>
                  <strong>{step.to}</strong> {dateTime(step.at)} by {step.actor.role}
                  {step.reason ? `: “${step.reason}”` : ''}
                </li>
              ))}
            </ol>
          </section>
          <ReasonDialog
            open={cancelling}
            title={`Cancel your stay at ${b.propertyName}?`}
            confirmLabel="Cancel booking"
            pending={cancel.isPending}
            error={cancel.error}
            onClose={() => setCancelling(false)}
            onConfirm={(reason) => cancel.mutate({ id: b.id, reason })}
          />
        </article>
      )}
    </QueryView>
  );
}
