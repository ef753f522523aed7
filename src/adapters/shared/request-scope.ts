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
