import type { Middleware } from 'koa';
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
 * No credentials: the public API uses none.
 */
export function cors({ origins, maxAgeSeconds = 600 }: CorsOptions): Middleware {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    if (!anyOrigin && allowed.size > 0) ctx.vary('Origin');
    if (!origin) {
      await next();
      return;
    }
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
      return;
    }
    if (permitted) {
      ctx.set('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
      ctx.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    await next();
  };
}
