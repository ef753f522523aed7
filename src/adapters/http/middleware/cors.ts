import type { Context } from 'koa';
import { HttpProblem } from '../http-problem.js';

export interface CorsOptions {
  /** Exact origins ('https://shop.example.in'), or ['*'] for any origin. Empty: closed. */
  readonly origins: readonly string[];
  readonly maxAgeSeconds?: number;
}

const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const REQUEST_HEADERS = 'Content-Type, If-None-Match, X-Request-Id';
const EXPOSED_HEADERS = 'ETag, X-Cache, X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy';

/**
 * CORS on an allow-list, closed by default. A preflight from an origin not on the list is refused
 * with 403; a simple request from one is served without CORS headers, so the browser withholds it.
 * No credentials: the public API uses none. The returned function answers a permitted preflight
 * itself (204) and returns true; for any other request it sets the headers due and returns false.
 */
export function cors({ origins, maxAgeSeconds = 600 }: CorsOptions): (ctx: Context) => boolean {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  const varies = !anyOrigin && allowed.size > 0;
  return (ctx) => {
    const { origin } = ctx.req.headers;
    if (varies) ctx.vary('Origin');
    if (!origin) return false;
    const permitted = anyOrigin || allowed.has(origin);
    const preflight = ctx.method === 'OPTIONS' && ctx.get('access-control-request-method') !== '';
    if (preflight) {
      if (!permitted) {
        throw new HttpProblem(403, 'Cross-origin request refused', `Origin ${origin.slice(0, 200)} is not allowed to call this API.`);
      }
      ctx.set({
        'Access-Control-Allow-Origin': anyOrigin ? '*' : origin,
        'Access-Control-Allow-Methods': METHODS,
        'Access-Control-Allow-Headers': REQUEST_HEADERS,
        'Access-Control-Max-Age': String(maxAgeSeconds),
      });
      ctx.status = 204;
      return true;
    }
    if (permitted) {
      ctx.set('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
      ctx.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    return false;
  };
}
