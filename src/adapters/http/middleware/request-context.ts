import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { HttpMetrics } from '../http-metrics.js';

const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (the caller's when well-formed), a child logger carrying it, an access
 * log line and a duration observation labelled by route template, never by raw URL.
 */
export function requestContext(logger: Logger, metrics: HttpMetrics): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const offered = ctx.get('x-request-id');
    const requestId = WELL_FORMED_ID.test(offered) ? offered : randomUUID();
    ctx.state = new RequestState(logger, requestId);
    ctx.res.setHeader('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched';
      metrics.requestDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      if (logger.isLevelEnabled('info')) {
        ctx.state.logger.info(
          { method: ctx.method, route, url: ctx.url, status: ctx.status, ms: Math.round(seconds * 1e4) / 10 },
          'request',
        );
      }
    }
  };
}

/** ctx.state: the request id, and a child logger carrying it, made on first use. */
class RequestState {
  // A pino child costs more than a cached page, and most requests log nothing.
  #logger: Logger | undefined;

  constructor(
    private readonly root: Logger,
    readonly requestId: string,
  ) {}

  get logger(): Logger {
    return (this.#logger ??= this.root.child({ requestId: this.requestId }));
  }

  set logger(replacement: Logger) {
    this.#logger = replacement;
  }
}
