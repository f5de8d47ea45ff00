/** The heart on a listing: kept on the server (`PUT`/`DELETE /api/travelers/favorites/:id`). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call, messageOf } from '../lib/api';
import { useMe } from '../lib/auth';

export function FavoriteButton({
  propertyId,
  propertyName,
  isFavorite,
}: {
  propertyId: string;
  propertyName: string;
  isFavorite: boolean;
}) {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [favorite, setFavorite] = useState(isFavorite);
  const [seen, setSeen] = useState(isFavorite);
  if (seen !== isFavorite) {
    setSeen(isFavorite);
    setFavorite(isFavorite);
  }
  const toggle = useMutation({
    mutationFn: (next: boolean) => {
      const param = { param: { propertyId } };
      return call(
        next
          ? api.api.travelers.favorites[':propertyId'].$put(param)
          : api.api.travelers.favorites[':propertyId'].$delete(param),
      );
    },
    onMutate: (next) => setFavorite(next),
    onError: (_error, next) => setFavorite(!next),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['favorites'] }),
  });
  if (me.data?.role === 'owner') return null;
  const label = favorite
    ? `Remove ${propertyName} from favorites`
    : `Save ${propertyName} to favorites`;
  return (
    <button
      type="button"
      className={`heart${favorite ? ' on' : ''}`}
      aria-pressed={favorite}
      aria-label={label}
      title={toggle.error ? messageOf(toggle.error) : label}
      onClick={(event) => {
        event.preventDefault();
        if (!me.data) {
          void navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
          return;
        }
        toggle.mutate(!favorite);
      }}
    >
      <svg viewBox="0 0 24 24" aria-hidden="true" width="22" height="22">
        <path d="M12 21s-7.5-4.6-10-9.3C.4 8.3 2.3 4 6.3 4c2.2 0 3.7 1.2 4.7 2.7h2C14 5.2 15.5 4 17.7 4c4 0 5.9 4.3 4.3 7.7C19.5 16.4 12 21 12 21z" />
      </svg>
    </button>
  );
}
