/** A traveler's favorite listings (`/api/travelers/favorites`), kept on the server. */
import { createRoute } from '@hono/zod-openapi';
import { favoriteListingsPage, markFavorite, unmarkFavorite } from '../../services/favorites.js';
import { ApiRouter, errorResponse, jsonResponse, signedIn } from '../openapi.js';
import { FavoritePage, PropertyIdParams, pageQuery } from '../schemas.js';

export function favoriteRoutes() {
  return new ApiRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/',
        summary: 'My favorite listings, the newest kept first',
        tags: ['travelers'],
        ...signedIn('traveler'),
        request: { query: pageQuery },
        responses: {
          200: jsonResponse(FavoritePage, 'A page of favorites, each with its listing'),
          403: errorResponse('Not a traveler account'),
        },
      }),
      async (c) => {
        const query = c.req.valid('query');
        const { favorites, total } = await favoriteListingsPage(c.get('user'), query);
        return c.json({ favorites, ...query, total }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/{propertyId}',
        summary: 'Keep a listing among my favorites (again is fine)',
        tags: ['travelers'],
        ...signedIn('traveler'),
        request: { params: PropertyIdParams },
        responses: {
          204: { description: 'It is a favorite' },
          403: errorResponse('Not a traveler account'),
          404: errorResponse('No such property'),
        },
      }),
      async (c) => {
        await markFavorite(c.get('user'), c.req.valid('param').propertyId);
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/{propertyId}',
        summary: 'Drop a listing from my favorites (not one of them is fine)',
        tags: ['travelers'],
        ...signedIn('traveler'),
        request: { params: PropertyIdParams },
        responses: {
          204: { description: 'It is not a favorite' },
          403: errorResponse('Not a traveler account'),
        },
      }),
      async (c) => {
        await unmarkFavorite(c.get('user'), c.req.valid('param').propertyId);
        return c.body(null, 204);
      },
    );
}
