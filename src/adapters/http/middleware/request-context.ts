import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { requestScope } from '../../shared/request-scope.js';
import type { HttpMetrics } from '../http-metrics.js';

const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RequestContextOptions {
  /** After this long the request's signal aborts (a TimeoutError), cancelling its statements; 0: never. */
  readonly deadlineMs?: number;
}

/**
 * Gives every request an id (the caller's when well-formed), a child logger carrying it, an access
 * log line and a duration observation labelled by route template, never by raw URL. The rest of
 * the request runs in a request scope whose signal aborts when the client goes away before the
 * answer is sent (an AbortError) or the deadline passes (a TimeoutError).
 */
export function requestContext(logger: Logger, metrics: HttpMetrics, options: RequestContextOptions = {}): Middleware {
  const deadlineMs = options.deadlineMs ?? 0;
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const offered = ctx.get('x-request-id');
    const requestId = WELL_FORMED_ID.test(offered) ? offered : randomUUID();
    ctx.state = new RequestState(logger, requestId);
    ctx.res.setHeader('X-Request-Id', requestId);
    const controller = new AbortController();
    const onClose = () => {
      if (!ctx.res.writableFinished) controller.abort(new DOMException('The client closed the connection.', 'AbortError'));
    };
    ctx.res.once('close', onClose);
    const deadline = deadlineMs > 0
      ? setTimeout(() => controller.abort(new DOMException(`The request ran past its ${deadlineMs} ms deadline.`, 'TimeoutError')), deadlineMs)
      : undefined;
    try {
      await requestScope.run({ requestId, signal: controller.signal }, next);
    } finally {
      clearTimeout(deadline);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched';
      metrics.requestDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      if (ctx.state.shedBy) metrics.requestsShed.inc({ route, reason: ctx.state.shedBy });
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

  /** Set by the problem handler when the request was shed: the bulkhead that had no room. */
  shedBy: string | undefined;
}
