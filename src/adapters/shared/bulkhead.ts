import { OverloadedError } from '../../domain/errors/overloaded-error.js';
import { requestEnded } from './request-ended.js';

export interface BulkheadOptions {
  /** Named in the OverloadedError (and so in the 503 and the shed metric). */
  readonly name: string;
  /** Work running at once; the rest waits its turn, first come first served. */
  readonly slots: number;
  /** Longest wait for a slot; past it the caller gets OverloadedError. */
  readonly maxWaitMs: number;
  /** Most callers waiting at once; one more gets OverloadedError at once. */
  readonly maxQueue: number;
  /**
   * Work that yields to the rest of the process: while `busy()` says the process is busy with
   * other work, at most `perSecond` starts a second, after a burst of as many (a token bucket,
   * full whenever the process is not busy); a start beyond that waits its turn, holding its slot.
   */
  readonly pacing?: { readonly busy: () => boolean; readonly perSecond: number };
}

interface Waiter {
  readonly start: () => void;
}

/**
 * A concurrency limit with a short, bounded queue: at most `slots` pieces of work run at once in
 * this process, later ones wait in order, and one that cannot start within maxWaitMs (or finds the
 * queue full) fails with OverloadedError rather than waiting on. A waiter whose request ends (its
 * signal aborts) leaves the queue at once.
 */
export class Bulkhead {
  #running = 0;
  #completed = 0;
  #tokens = Infinity;
  #refilledAt = 0;
  readonly #queue: Waiter[] = [];

  constructor(private readonly options: BulkheadOptions) {}

  /** Work that has run to its end (succeeded or failed) since the bulkhead was made. */
  get completed(): number {
    return this.#completed;
  }

  /** Work running now and waiting now (read by tests; the shed metric counts what it refuses). */
  get load(): { readonly running: number; readonly waiting: number } {
    return { running: this.#running, waiting: this.#queue.length };
  }

  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#running >= this.options.slots || this.#queue.length > 0) await this.#turn(signal);
    else this.#running += 1;
    try {
      await this.#paced(signal);
      try {
        return await work();
      } finally {
        this.#completed += 1;
      }
    } finally {
      this.#release();
    }
  }

  #turn(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(requestEnded(signal));
    if (this.#queue.length >= this.options.maxQueue) return Promise.reject(this.#overloaded());
    return new Promise<void>((resolve, reject) => {
      const leave = (error: unknown) => {
        const at = this.#queue.indexOf(waiter);
        if (at !== -1) this.#queue.splice(at, 1);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = () => leave(requestEnded(signal!));
      const waiter: Waiter = {
        start: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const timer = setTimeout(() => leave(this.#overloaded()), this.options.maxWaitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  /**
   * With pacing, while the process is busy: takes a token, or reserves the next one and waits for
   * it (tokens below zero are starts already promised to waiters).
   */
  async #paced(signal: AbortSignal | undefined) {
    const pacing = this.options.pacing;
    if (!pacing || pacing.perSecond <= 0) return;
    const now = performance.now();
    const burst = pacing.perSecond;
    if (!pacing.busy()) {
      this.#tokens = Math.max(this.#tokens, burst);
    } else {
      this.#tokens = Math.min(burst, this.#tokens + ((now - this.#refilledAt) * pacing.perSecond) / 1000);
    }
    this.#refilledAt = now;
    this.#tokens -= 1;
    if (this.#tokens < 0) await sleep((-this.#tokens * 1000) / pacing.perSecond, signal);
  }

  #release() {
    const next = this.#queue.shift();
    // The slot passes straight to the next waiter: the count stays, nobody can overtake the queue.
    if (next) next.start();
    else this.#running -= 1;
  }

  #overloaded() {
    return new OverloadedError(this.options.name, Math.max(1, Math.ceil(this.options.maxWaitMs / 1000)));
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(requestEnded(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(requestEnded(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
