/** The frame of every page: skip link, header (navigation, bell, theme, account), live news. */
import { useQuery } from '@tanstack/react-query';
import { Suspense, useEffect, useRef } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { api, call } from '../lib/api';
import { useLogOut, useMe } from '../lib/auth';
import { useLiveEvents } from '../lib/live';
import { useTheme, type ThemeChoice } from '../lib/theme';
import { ErrorNote, Loading } from './Status';

function NotificationBell() {
  const unread = useQuery({
    queryKey: ['notifications', 'unread-count'],
    queryFn: () => call(api.api.notifications.$get({ query: { unread: 'true', limit: '1' } })),
    select: (page) => page.unread,
    refetchInterval: 60_000,
  });
  const count = unread.data ?? 0;
  return (
    <NavLink
      to="/notifications"
      className="bell"
      aria-label={count > 0 ? `Notifications, ${count} unread` : 'Notifications'}
    >
      <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
        <path d="M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.8V3a1.5 1.5 0 0 0-3 0v1.2A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" />
      </svg>
      {count > 0 && (
        <span className="badge" aria-hidden="true">
          {count > 99 ? '99+' : count}
        </span>
      )}
    </NavLink>
  );
}

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = {
  system: 'dark',
  dark: 'light',
  light: 'system',
};

function ThemeToggle() {
  const { choice, effective, setChoice } = useTheme();
  const label = choice === 'system' ? `Theme: system (${effective})` : `Theme: ${choice}`;
  return (
    <button
      type="button"
      className="icon-button"
      onClick={() => setChoice(NEXT_THEME[choice])}
      aria-label={`${label}. Switch to ${NEXT_THEME[choice]}`}
      title={label}
    >
      <span aria-hidden="true">{effective === 'dark' ? '☾' : '☀'}</span>
    </button>
  );
}

export function Layout() {
  const me = useMe();
  const user = me.data ?? undefined;
  const logOut = useLogOut();
  const { live, news } = useLiveEvents(user?.id);
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  // A new page moves focus to its content, as a full page load would for a screen reader.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="header">
        <Link to="/" className="brand">
          <span aria-hidden="true">⌂</span> StaySaga
        </Link>
        <nav aria-label="Main" className="nav">
          <NavLink to="/" end>
            Search
          </NavLink>
          {user?.role === 'traveler' && (
            <>
              <NavLink to="/trips">Trips</NavLink>
              <NavLink to="/favorites">Favorites</NavLink>
            </>
          )}
          {user?.role === 'owner' && (
            <>
              <NavLink to="/owner" end>
                Dashboard
              </NavLink>
              <NavLink to="/owner/requests">Requests</NavLink>
              <NavLink to="/owner/listings/new">New listing</NavLink>
            </>
          )}
        </nav>
        <div className="account">
          <ThemeToggle />
          {user ? (
            <>
              <NotificationBell />
              <NavLink to="/profile" className="who" title={user.email}>
                {user.name}
              </NavLink>
              <button
                type="button"
                className="button secondary small"
                onClick={() => logOut.mutate()}
                disabled={logOut.isPending}
              >
                Log out
              </button>
            </>
          ) : (
            <>
              <NavLink to="/login">Log in</NavLink>
              <NavLink to="/signup" className="button small">
                Sign up
              </NavLink>
            </>
          )}
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {me.error ? <ErrorNote error={me.error} retry={() => void me.refetch()} /> : null}
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="footer muted small">
        <span>StaySaga</span>
        {user && (
          <span className={live ? 'live on' : 'live'} data-testid="live-status">
            {live ? 'Live updates on' : 'Connecting live updates…'}
          </span>
        )}
      </footer>
      <div className="visually-hidden" role="status" aria-live="polite" data-testid="live-news">
        {news}
      </div>
    </>
  );
}

/** Only for a signed-in user of this role: anyone else is sent to log in. */
export function RequireRole({
  role,
  children,
}: {
  role?: 'traveler' | 'owner';
  children: React.ReactNode;
}) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading />;
  const user = me.data;
  if (!user) {
    const next = encodeURIComponent(location.pathname + location.search);
    return (
      <section className="narrow">
        <h1>Log in first</h1>
        <p>
          This page is for {role ? `${role}s` : 'signed-in users'}.{' '}
          <Link to={`/login?next=${next}`}>Log in</Link> or <Link to="/signup">sign up</Link>.
        </p>
      </section>
    );
  }
  if (role && user.role !== role) {
    return (
      <section className="narrow">
        <h1>Not for {user.role}s</h1>
        <p>
          This page is for {role} accounts; you are signed in as an {user.role}.{' '}
          <Link to={user.role === 'owner' ? '/owner' : '/'}>Go to your start page</Link>.
        </p>
      </section>
    );
  }
  return <>{children}</>;
}
