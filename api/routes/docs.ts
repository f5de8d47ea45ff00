/** `/openapi.json` and the interactive docs at `/docs` (Swagger UI, served from our own deps). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../domain/errors.js';
import { ApiRouter, errorResponse, jsonResponse, type openApiDocument } from '../openapi.js';
import { FileParams, OpenApiDocument } from '../schemas.js';

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

const text = z.string();

/** `document` builds the OpenAPI document of the app these routes are mounted in. */
export function docsRoutes(document: () => ReturnType<typeof openApiDocument>) {
  return new ApiRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/openapi.json',
        summary: 'This API as an OpenAPI 3.1 document',
        tags: ['system'],
        responses: { 200: jsonResponse(OpenApiDocument, 'The document') },
      }),
      (c) => c.json(document() as z.input<typeof OpenApiDocument>, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/docs',
        summary: 'Interactive API documentation',
        tags: ['system'],
        responses: {
          200: { description: 'An HTML page', content: { 'text/html': { schema: text } } },
        },
      }),
      (c) => c.html(PAGE),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/docs/assets/{file}',
        summary: 'Static files of the interactive documentation',
        tags: ['system'],
        request: { params: FileParams },
        responses: {
          200: {
            description: 'The file',
            content: { 'text/css': { schema: text }, 'text/javascript': { schema: text } },
          },
          404: errorResponse('No such file'),
        },
      }),
      async (c) => {
        const { file } = c.req.valid('param');
        const type = ASSETS[file];
        if (!type) throw notFound('File');
        const content = await readFile(join(SWAGGER_UI_DIR, file), 'utf8');
        return c.body(content, 200, {
          'content-type': type,
          'cache-control': 'public, max-age=86400',
        });
      },
    );
}
