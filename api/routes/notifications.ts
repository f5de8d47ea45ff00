/** Notifications of the signed-in user (owners and travelers alike). */
import { createRoute } from '@hono/zod-openapi';
import {
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
} from '../../notifications/inbox.js';
import { ApiRouter, errorResponse, jsonResponse, signedIn } from '../openapi.js';
import { IdParams, Marked, NotificationPage, notificationListQuery } from '../schemas.js';

export function notificationRoutes() {
  return new ApiRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/',
        summary: 'List my notifications, newest first (with total and unread counts)',
        tags: ['notifications'],
        ...signedIn(),
        request: { query: notificationListQuery },
        responses: {
          200: jsonResponse(NotificationPage, 'A page of notifications'),
          400: errorResponse('Invalid query'),
          401: errorResponse('Not signed in'),
        },
      }),
      async (c) => {
        const { unread, ...page } = c.req.valid('query');
        const notifications = await listNotifications(c.get('user'), {
          ...page,
          unreadOnly: unread === 'true',
        });
        return c.json(notifications, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/read-all',
        summary: 'Mark all my notifications as read',
        tags: ['notifications'],
        ...signedIn(),
        responses: {
          200: jsonResponse(Marked, 'How many were marked'),
          401: errorResponse('Not signed in'),
        },
      }),
      async (c) => c.json({ marked: await markAllNotificationsRead(c.get('user')) }, 200),
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/{id}/read',
        summary: 'Mark one of my notifications as read',
        tags: ['notifications'],
        ...signedIn(),
        request: { params: IdParams },
        responses: {
          204: { description: 'Marked' },
          400: errorResponse('Bad id'),
          401: errorResponse('Not signed in'),
          404: errorResponse('No such notification of mine'),
        },
      }),
      async (c) => {
        await markNotificationRead(c.get('user'), c.req.valid('param').id);
        return c.body(null, 204);
      },
    );
}
