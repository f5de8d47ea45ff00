/**
 * `405 Method Not Allowed` needs the methods a path does serve (its `Allow` header). Hono
 * answers an unmatched method like an unknown path, so we read them from its own route table.
 */

export interface RouteEntry {
  method: string;
  path: string;
}

/** A Hono path pattern (`/api/properties/:id`, `/docs/*`) as a regular expression. */
function patternOf(path: string): RegExp {
  const segments = path.split('/').map((segment) => {
    if (segment.startsWith(':')) return '[^/]+';
    if (segment === '*') return '.*';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${segments.join('/')}$`);
}

/** The methods the routes serve at `path`, HEAD with every GET; empty when the path is unknown. */
export function allowedMethods(routes: readonly RouteEntry[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    // Middleware registered for every method (`app.use`) serves no path by itself.
    if (route.method === 'ALL') continue;
    if (patternOf(route.path).test(path)) methods.add(route.method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
