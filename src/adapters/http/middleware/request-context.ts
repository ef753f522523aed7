import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { requestScope } from '../../shared/request-scope.js';
import type { HttpMetrics } from '../http-metrics.js';

const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RequestContextOptions {
  /** After this long the request's signal aborts (a TimeoutError), cancelling its statements; 0: never. */
  readonly deadlineMs?: number;
  /**
   * The route template a request would have matched, for requests refused before routing (429,
   * 414, ...), so they are counted under their route rather than as "unmatched".
   */
  readonly routeOf?: (method: string, path: string) => string | undefined;
}

/**
 * Gives every request an id (the caller's when well-formed), an access
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
      const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : (options.routeOf?.(ctx.method, ctx.path) ?? 'unmatched');
      metrics.requestDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      if (ctx.state.shedBy) metrics.requestsShed.inc({ route, reason: ctx.state.shedBy });
      if (logger.isLevelEnabled('info')) {
        ctx.state.logger.info(
          { requestId, method: ctx.method, route, url: ctx.url, status: ctx.status, ms: Math.round(seconds * 1e4) / 10 },
          'request',
        );
      }
    }
  };
}

/**
 * ctx.state: the request id, and the logger. Lines written inside the request scope get the id
 * from the logger itself (createLogger's mixin reads the scope), as do those of every adapter and
 * use case the request reaches; the access line, written after the scope, names it explicitly.
 */
class RequestState {
  #logger: Logger | undefined;

  constructor(
    private readonly root: Logger,
    readonly requestId: string,
  ) {}

  get logger(): Logger {
    return this.#logger ?? this.root;
  }

  set logger(replacement: Logger) {
    this.#logger = replacement;
  }

  /** Set by the problem handler when the request was shed: the bulkhead that had no room. */
  shedBy: string | undefined;
}
