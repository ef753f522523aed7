import type { Context } from 'koa';
import type { Logger } from 'pino';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { clientKey } from '../client-key.js';
import type { HttpMetrics } from '../http-metrics.js';
import { HttpProblem } from '../http-problem.js';
import { rateLimitBudgetFor, type RateLimitBudget } from '../rate-limit-budget.js';
import { ThrottledWarning } from '../../../shared/throttled-warning.js';

export interface RateLimitOptions {
  /** A limiter per budget; a budget without one is not limited. */
  readonly limiters: Partial<Record<RateLimitBudget, RateLimiterAbstract>>;
  readonly logger: Logger;
  readonly metrics?: HttpMetrics;
  /** At most one "failing open" log line per interval; the rest are counted into it. */
  readonly failOpenLogIntervalMs?: number;
}

/**
 * Spends one point of the request's budget, keyed by client address (ctx.ip, proxy-aware): one
 * store round trip per request. Over budget: 429 with Retry-After. Every limited response carries
 * RateLimit-Limit/-Remaining/-Reset and RateLimit-Policy. When the store fails (Redis unreachable)
 * the request is let through and the failure logged: availability over strictness. The returned
 * function gives a promise that rejects with the 429 HttpProblem when over budget, or undefined at
 * once for a request whose budget has no limiter (the edge then awaits nothing).
 */
export function rateLimit({
  limiters,
  logger,
  metrics,
  failOpenLogIntervalMs = 10_000,
}: RateLimitOptions): (ctx: Context) => Promise<void> | undefined {
  const warning = new ThrottledWarning((fields, message) => logger.warn(fields, message), failOpenLogIntervalMs);
  const failOpen = (budget: RateLimitBudget, error: unknown) => {
    metrics?.rateLimitDecisions.inc({ budget, decision: 'failed_open' });
    warning.warn({ err: error, budget }, 'rate limiter store unavailable; failing open (requests are not limited)');
  };

  return (ctx) => {
    const budget = rateLimitBudgetFor(ctx.path);
    const limiter = budget && limiters[budget];
    return budget && limiter ? spend(ctx, budget, limiter) : undefined;
  };

  async function spend(ctx: Context, budget: RateLimitBudget, limiter: RateLimiterAbstract) {
    let result: RateLimiterRes;
    try {
      result = await limiter.consume(clientKey(ctx.ip));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        failOpen(budget, rejection);
        return;
      }
      metrics?.rateLimitDecisions.inc({ budget, decision: 'limited' });
      const headers = rateLimitHeaders(limiter, rejection);
      throw new HttpProblem(
        429,
        'Too many requests',
        `This client has used its ${budget} request budget; retry after ${headers['Retry-After']} s.`,
        {
          headers,
        },
      );
    }
    metrics?.rateLimitDecisions.inc({ budget, decision: 'allowed' });
    setHeaders(ctx, rateLimitHeaders(limiter, result));
  }
}

function rateLimitHeaders(limiter: RateLimiterAbstract, result: RateLimiterRes) {
  const reset = Math.max(0, Math.ceil(result.msBeforeNext / 1000));
  return {
    'RateLimit-Limit': String(limiter.points),
    'RateLimit-Remaining': String(Math.max(0, result.remainingPoints)),
    'RateLimit-Reset': String(reset),
    'RateLimit-Policy': `${limiter.points};w=${limiter.duration}`,
    'Retry-After': String(Math.max(1, reset)),
  };
}

function setHeaders(ctx: Context, { 'Retry-After': _onlyWhenLimited, ...headers }: Record<string, string>) {
  ctx.set(headers);
}
