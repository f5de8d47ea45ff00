import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Empty, ErrorNote, QueryView } from '../components/Status';
import { api, call } from '../lib/api';
import { dateTime } from '../lib/format';

export default function NotificationsPage() {
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: ['notifications', 'list'],
    queryFn: () => call(api.api.notifications.$get({ query: { limit: '50' } })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['notifications'] });
  const readOne = useMutation({
    mutationFn: (id: string) => call(api.api.notifications[':id'].read.$put({ param: { id } })),
    onSettled: refresh,
  });
  const readAll = useMutation({
    mutationFn: () => call(api.api.notifications['read-all'].$put()),
    onSettled: refresh,
  });
  return (
    <section className="narrow wide-ok">
      <div className="row between wrap">
        <h1>Notifications</h1>
        <button
          type="button"
          className="button secondary"
          disabled={readAll.isPending || !list.data?.unread}
          onClick={() => readAll.mutate()}
        >
          Mark all as read
        </button>
      </div>
      <ErrorNote error={readOne.error ?? readAll.error} />
      <QueryView query={list} label="Loading notifications…">
        {({ notifications }) =>
          notifications.length === 0 ? (
            <Empty>
              <p>Nothing yet. Booking news will show up here.</p>
            </Empty>
          ) : (
            <ul className="notifications">
              {notifications.map((n) => (
                <li key={n.id} className={n.read ? 'read' : 'unread'}>
                  <div className="grow">
                    <h2 className="h3">
                      {!n.read && <span className="visually-hidden">Unread: </span>}
                      {n.title}
                    </h2>
                    <p>{n.body}</p>
                    <p className="muted small">
                      {n.createdAt ? dateTime(n.createdAt) : ''}
                      {n.bookingId && (
                        <>
                          {' · '}
                          <Link to={`/trips/${n.bookingId}`}>See the booking</Link>
                        </>
                      )}
                    </p>
                  </div>
                  {!n.read && (
                    <button
                      type="button"
                      className="button secondary small"
                      onClick={() => readOne.mutate(n.id)}
                      aria-label={`Mark read: ${n.title}`}
                    >
                      Mark read
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </QueryView>
    </section>
  );
}
