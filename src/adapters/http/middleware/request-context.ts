import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { requestScope, type RequestScope } from '../../shared/request-scope.js';
import { requestTraffic } from '../../shared/request-traffic.js';
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

  const record = (ctx: Context, state: RequestState, scope: HttpRequestScope, started: number) => {
    scope.end();
    requestTraffic.ended();
    const seconds = (performance.now() - started) / 1e3;
    const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : (options.routeOf?.(ctx.method, ctx.path) ?? 'unmatched');
    metrics.requestDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
    if (state.shedBy) metrics.requestsShed.inc({ route, reason: state.shedBy });
    if (logger.isLevelEnabled('info')) {
      const ms = Math.round(seconds * 1e4) / 10;
      // How the catalogue cache answered (HIT, STALE, MISS), on the responses that say.
      const cache = ctx.res.getHeader('X-Cache');
      state.logger.info(
        { requestId: state.requestId, method: ctx.method, route, url: ctx.url, status: ctx.status, ms, ...(cache ? { cache } : {}) },
        'request',
      );
    }
  };

  return (ctx, next) => {
    const started = performance.now();
    const offered = ctx.req.headers['x-request-id'];
    const requestId = typeof offered === 'string' && WELL_FORMED_ID.test(offered) ? offered : randomUUID();
    const state = new RequestState(logger, requestId);
    ctx.state = state;
    ctx.res.setHeader('X-Request-Id', requestId);
    const scope = new HttpRequestScope(requestId, deadlineMs, ctx.res);
    // then(recorded, failed) rather than async/await with finally: one promise instead of two, and
    // with a request scope active every promise runs its AsyncLocalStorage init hook.
    return requestScope.run(scope, next).then(
      () => record(ctx, state, scope, started),
      (error: unknown) => {
        record(ctx, state, scope, started);
        throw error;
      },
    );
  };
}

/** The response a request scope watches to tell when its client left (a ServerResponse). */
export interface ClientResponse {
  /** 'close' was emitted: the connection is gone, or the answer was finished. */
  readonly closed: boolean;
  readonly writableFinished: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * A request's scope whose AbortController, deadline timer and watch on the client's connection
 * exist only once an adapter reads `signal` (a statement, a partner call). A cache hit never does:
 * creating them for every request was ~3% of a cached hit's CPU profile (createAbortSignal, timer
 * insert/unenroll, a 'close' listener added and removed; ~1-2 µs). A signal first read after the
 * client left starts aborted; one read after the deadline starts timed out; otherwise the timer is
 * set for what remains of the deadline.
 */
export class HttpRequestScope implements RequestScope {
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #clientLeft = false;
  #ended = false;
  readonly #deadlineAt: number;

  /**
   * deadlineMs: after this long the signal aborts with a TimeoutError; 0: never. response: when
   * given, its connection closing before the answer is finished counts as the client leaving.
   */
  constructor(
    readonly requestId: string,
    private readonly deadlineMs: number,
    private readonly response?: ClientResponse,
  ) {
    this.#deadlineAt = deadlineMs > 0 ? performance.now() + deadlineMs : Infinity;
  }

  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    this.#watchClient();
    const remaining = this.#deadlineAt - performance.now();
    if (this.#clientLeft) controller.abort(clientClosed());
    else if (remaining <= 0) controller.abort(this.#timedOut());
    else if (!this.#ended && remaining !== Infinity) {
      // The request's own socket keeps the process alive while it runs; its deadline need not.
      this.#timer = setTimeout(() => controller.abort(this.#timedOut()), remaining).unref();
    }
    return controller.signal;
  }

  /** The client closed the connection before the answer was sent. */
  clientLeft(): void {
    this.#clientLeft = true;
    this.#end();
    this.#controller?.abort(clientClosed());
  }

  /** The request has been answered: no deadline any more. */
  end(): void {
    this.#end();
  }

  /** Whether a deadline timer is pending (for tests). */
  get hasTimer(): boolean {
    return this.#timer !== undefined;
  }

  #watchClient() {
    const response = this.response;
    if (response === undefined) return;
    if (!response.closed) {
      response.once('close', () => {
        if (!response.writableFinished) this.clientLeft();
      });
    } else if (!response.writableFinished) {
      this.clientLeft();
    }
  }

  #end() {
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #timedOut() {
    return new DOMException(`The request ran past its ${this.deadlineMs} ms deadline.`, 'TimeoutError');
  }
}

function clientClosed() {
  return new DOMException('The client closed the connection.', 'AbortError');
}

/**
 * The request's state as requestContext set it (Koa types ctx.state as `any`); undefined for a
 * request that did not pass through requestContext.
 */
export function requestStateOf(ctx: { readonly state: unknown }): RequestState | undefined {
  return ctx.state instanceof RequestState ? ctx.state : undefined;
}

/**
 * ctx.state: the request id, and the logger. Lines written inside the request scope get the id
 * from the logger itself (createLogger's mixin reads the scope), as do those of every adapter and
 * use case the request reaches; the access line, written after the scope, names it explicitly.
 */
export class RequestState {
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
