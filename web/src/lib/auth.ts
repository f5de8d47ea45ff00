/** Who is signed in (`GET /api/auth/me`; null when nobody is), and signing out. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, call } from './api';
import type { User } from './types';

export const ME_KEY = ['me'] as const;

export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async (): Promise<User | null> => {
      try {
        return (await call(api.api.auth.me.$get())).user;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 5 * 60_000,
  });
}

export function useLogOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => call(api.api.auth.logout.$post()),
    onSettled: async () => {
      queryClient.setQueryData(ME_KEY, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
      await navigate('/login');
    },
  });
}

/** Where to go after logging in: `?next=` when it is a path of this app, else by role. */
export function nextPath(next: string | null, role: 'traveler' | 'owner'): string {
  if (next && next.startsWith('/') && !next.startsWith('//')) return next;
  return role === 'owner' ? '/owner' : '/';
}

/**
 * After a log-in or a sign-up: the new user becomes "me", everything cached for whoever was
 * here before is fetched again, and the app goes on to `?next=` or the role's home.
 */
export function useOpenSession() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  return async ({ user }: { user: User }) => {
    queryClient.setQueryData(ME_KEY, user);
    await queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    await navigate(nextPath(params.get('next'), user.role));
  };
}
