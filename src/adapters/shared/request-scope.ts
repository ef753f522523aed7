import { AsyncLocalStorage } from 'node:async_hooks';

/** What outlives a port call for the request that caused it: its id (logs, partner calls) and its end. */
export interface RequestScope {
  readonly requestId: string;
  /** Aborts when the request ends early: its client left, or it ran past its deadline. */
  readonly signal: AbortSignal;
}

const storage = new AsyncLocalStorage<RequestScope>();

/**
 * The current request, carried through async calls without passing HTTP types across ports: the
 * request-context middleware enters a scope per request, and adapters read it (the statement
 * runner cancels on its signal; logs and partner calls carry its id). Outside a request (CLIs,
 * background work) there is none.
 */
export const requestScope = {
  run<T>(scope: RequestScope, work: () => T): T {
    return storage.run(scope, work);
  },
  current(): RequestScope | undefined {
    return storage.getStore();
  },
};

/**
 * The scope of work that several requests wait on (one load, many joiners): its signal aborts only
 * once every request that joined has ended, so one client leaving or timing out does not fail the
 * others that share the work. Joined from outside any request (a CLI, a background refresh), the
 * work is never cancelled this way: someone is waiting who has no end.
 */
export class SharedScope {
  private readonly controller = new AbortController();
  private readonly scope: RequestScope | undefined;
  private waiting = 0;
  private unbounded = false;

  constructor(starter = requestScope.current()) {
    this.scope = starter && { requestId: starter.requestId, signal: this.controller.signal };
    this.join(starter);
  }

  /** Counts one more request waiting on the work. */
  join(joiner = requestScope.current()): void {
    if (!joiner) {
      this.unbounded = true;
      return;
    }
    if (joiner.signal.aborted) return;
    this.waiting += 1;
    joiner.signal.addEventListener(
      'abort',
      () => {
        this.waiting -= 1;
        if (this.waiting === 0 && !this.unbounded) this.controller.abort(joiner.signal.reason);
      },
      { once: true },
    );
  }

  run<T>(work: () => T): T {
    return this.scope ? requestScope.run(this.scope, work) : work();
  }
}
