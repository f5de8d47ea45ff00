/** `/openapi.json` and the interactive docs at `/docs` (Swagger UI, served from our own deps). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { notFound } from '../../domain/errors.js';
import type { AppEnv } from '../auth-middleware.js';
import { documentRoute, openApiDocument } from '../openapi.js';

const SWAGGER_UI_DIR = dirname(
  createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
);

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>StaySaga API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });</script>
  </body>
</html>`;

export function docsRoutes() {
  const app = new Hono<AppEnv>();
  documentRoute({
    method: 'get',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    tag: 'system',
    responses: { 200: 'The document' },
  });
  app.get('/openapi.json', (c) => c.json(openApiDocument()));

  documentRoute({
    method: 'get',
    path: '/docs',
    summary: 'Interactive API documentation',
    tag: 'system',
    produces: ['text/html'],
    responses: { 200: 'An HTML page' },
  });
  app.get('/docs', (c) => c.html(PAGE));

  documentRoute({
    method: 'get',
    path: '/docs/assets/:file',
    summary: 'Static files of the interactive documentation',
    tag: 'system',
    produces: ['text/css', 'text/javascript'],
    responses: { 200: 'The file', 404: 'No such file' },
  });
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) throw notFound('File');
    const content = await readFile(join(SWAGGER_UI_DIR, file), 'utf8');
    return c.body(content, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  return app;
}
