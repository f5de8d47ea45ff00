/** Notifications of the signed-in user (owners and travelers alike). */
import { Hono } from 'hono';
import { z } from 'zod';
import {
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
} from '../../notifications/inbox.js';
import { requireUser, type AppEnv } from '../auth-middleware.js';
import { pageQuery, readId, readQuery } from '../http.js';
import { documentRoute } from '../openapi.js';

const listQuery = z.strictObject({
  ...pageQuery.shape,
  unread: z.enum(['true', 'false']).optional(),
});

export function notificationRoutes() {
  const app = new Hono<AppEnv>();

  documentRoute({
    method: 'get',
    path: '/api/notifications',
    summary: 'List my notifications, newest first (with total and unread counts)',
    tag: 'notifications',
    auth: 'any',
    query: listQuery,
    responses: { 200: 'A page of notifications', 400: 'Invalid query', 401: 'Not signed in' },
  });
  app.get('/', requireUser(), async (c) => {
    const { unread, ...page } = readQuery(c, listQuery);
    return c.json(
      await listNotifications(c.get('user'), { ...page, unreadOnly: unread === 'true' }),
    );
  });

  documentRoute({
    method: 'put',
    path: '/api/notifications/read-all',
    summary: 'Mark all my notifications as read',
    tag: 'notifications',
    auth: 'any',
    responses: { 200: 'How many were marked', 401: 'Not signed in' },
  });
  app.put('/read-all', requireUser(), async (c) =>
    c.json({ marked: await markAllNotificationsRead(c.get('user')) }),
  );

  documentRoute({
    method: 'put',
    path: '/api/notifications/:id/read',
    summary: 'Mark one of my notifications as read',
    tag: 'notifications',
    auth: 'any',
    responses: {
      204: 'Marked',
      400: 'Bad id',
      401: 'Not signed in',
      404: 'No such notification of mine',
    },
  });
  app.put('/:id/read', requireUser(), async (c) => {
    await markNotificationRead(c.get('user'), readId(c));
    return c.body(null, 204);
  });

  return app;
}
