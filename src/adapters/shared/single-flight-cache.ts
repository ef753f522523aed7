import { BoundedMap } from '../../shared/bounded-map.js';
import { SharedScope } from './request-scope.js';

export type LookupResult = 'hit' | 'shared' | 'loaded';

interface Entry<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/**
 * A small process-local cache of recent successes in front of a loader: within `ttlMs` a key is
 * answered from memory, and concurrent misses for one key share one load. Failures are not cached.
 * A shared load is cancelled only when every request waiting on it has ended (see SharedScope).
 */
export class SingleFlightCache<T> {
  private readonly entries: BoundedMap<string, Entry<T>>;
  private readonly loading = new Map<string, { readonly promise: Promise<T>; readonly scope: SharedScope }>();

  constructor(
    private readonly ttlMs: number,
    maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new BoundedMap(maxEntries);
  }

  get(key: string, load: () => Promise<T>, onResult: (result: LookupResult) => void = () => undefined): Promise<T> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) {
      onResult('hit');
      return Promise.resolve(entry.value);
    }
    const running = this.loading.get(key);
    if (running) {
      onResult('shared');
      running.scope.join();
      return running.promise;
    }
    onResult('loaded');
    const scope = new SharedScope();
    const promise = scope
      .run(load)
      .then((value) => {
        this.store(key, value);
        return value;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, { promise, scope });
    return promise;
  }

  private store(key: string, value: T) {
    if (this.ttlMs > 0) this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }
}
