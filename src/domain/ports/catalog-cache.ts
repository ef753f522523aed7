export interface CacheEntry {
  readonly value: string;
  /** Epoch milliseconds after which the entry is stale: still servable, due for a rebuild. */
  readonly freshUntil: number;
}

export interface CacheLookup {
  readonly entry: CacheEntry | null;
  /** The catalogue generation the lookup saw; store under it so a racing invalidation wins. */
  readonly generation: string;
}

/** Shared cache of rendered catalogue responses, invalidated as a whole on every product write. */
export interface CatalogCache {
  /** Reads the current generation and the entry stored for `key` under it, in one atomic step. */
  lookup(key: string): Promise<CacheLookup>;

  /**
   * Stores an entry under `generation`, kept for `ttlMs`. Storing under a generation that is no
   * longer current is harmless: the entry is unreachable.
   */
  store(key: string, generation: string, entry: CacheEntry, ttlMs: number): Promise<void>;

  /** Makes every entry stored so far unreachable at once (no key scan). */
  invalidateAll(): Promise<void>;

  /**
   * Takes the exclusive right to rebuild `key` for `leaseMs`; false when someone else holds it.
   * The lease expires by itself, so a holder that dies blocks nobody for long.
   */
  tryLease(key: string, leaseMs: number): Promise<boolean>;
}
