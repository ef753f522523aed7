import type { Middleware } from 'koa';
import { cors, type CorsOptions } from './cors.js';
import { renderError, unroutedProblem } from './problem-handler.js';
import { rateLimit, type RateLimitOptions } from './rate-limit.js';
import { requestLimits, type RequestLimitOptions } from './request-limits.js';
import { securityHeaders, type SecurityHeaderOptions } from './security-headers.js';

export interface EdgeOptions {
  readonly securityHeaders: SecurityHeaderOptions;
  readonly cors: CorsOptions;
  readonly requestLimits: RequestLimitOptions;
  /** Absent: no rate limiting. */
  readonly rateLimit?: RateLimitOptions;
}

/**
 * Everything the public edge does before routing, and the problem+json answer to whatever goes
 * wrong from there on, as one middleware: each concern is a plain function in its own file, run
 * in order here. One frame and one promise instead of a Koa middleware per concern (each an async
 * frame, a promise and an await, and with a request scope active every promise also runs its
 * AsyncLocalStorage init hook): as five middlewares they were ~2 µs of a ~20 µs cached hit.
 */
export function edge(options: EdgeOptions): Middleware {
  const setSecurityHeaders = securityHeaders(options.securityHeaders);
  const answerPreflight = cors(options.cors);
  const checkLimits = requestLimits(options.requestLimits);
  const spendBudget = options.rateLimit && rateLimit(options.rateLimit);
  return (ctx, next) => {
    setSecurityHeaders(ctx);
    try {
      // CORS first, so a browser can read the edge's refusals (414, 429) too.
      if (answerPreflight(ctx)) return undefined;
      checkLimits(ctx);
      const spending = spendBudget?.(ctx);
      return (spending ? spending.then(() => next()) : next()).then(
        () => {
          const unrouted = unroutedProblem(ctx);
          if (unrouted) renderError(ctx, unrouted);
        },
        (error: unknown) => renderError(ctx, error),
      );
    } catch (error) {
      renderError(ctx, error);
      return undefined;
    }
  };
}
