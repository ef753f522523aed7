import { BoundedMap } from '../../shared/bounded-map.js';

export type LookupResult = 'hit' | 'shared' | 'loaded';

interface Entry<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/**
 * A small process-local cache of recent successes in front of a loader: within `ttlMs` a key is
 * answered from memory, and concurrent misses for one key share one load. Failures are not cached.
 */
export class SingleFlightCache<T> {
  private readonly entries: BoundedMap<string, Entry<T>>;
  private readonly loading = new Map<string, Promise<T>>();

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
      return running;
    }
    onResult('loaded');
    const promise = load()
      .then((value) => {
        this.store(key, value);
        return value;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, promise);
    return promise;
  }

  private store(key: string, value: T) {
    if (this.ttlMs > 0) this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }
}
