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

/** How many segments of a path pattern are templates (`:id`, `*`). */
const templateSegments = (path: string) =>
  path.split('/').filter((segment) => segment.startsWith(':') || segment === '*').length;

/** The methods the routes serve at `path`, HEAD with every GET; empty when the path is unknown. */
export function allowedMethods(routes: readonly RouteEntry[], path: string): string[] {
  // Middleware registered for every method (`app.use`) serves no path by itself.
  const matching = routes.filter((r) => r.method !== 'ALL' && patternOf(r.path).test(path));
  // As OpenAPI matches a URL, a concrete path before a templated one: `/photos/order` is the
  // resource of a listing's photo order, not a photo whose id is `order`.
  const fewest = Math.min(...matching.map((route) => templateSegments(route.path)));
  const methods = new Set(
    matching.filter((r) => templateSegments(r.path) === fewest).map((r) => r.method),
  );
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
