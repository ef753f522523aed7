import type { CatalogTag } from '../catalog-tags.js';

export interface CacheEntry {
  readonly value: string;
  /** Epoch milliseconds after which the entry is stale: still servable, due for a rebuild. */
  readonly freshUntil: number;
  /** What the value was built from (see catalog-tags): invalidating any of them makes the entry unreachable. */
  readonly tags: readonly CatalogTag[];
}

export interface CacheLookup {
  /** The entry stored for the key, or null when there is none or one of its tags was invalidated since it was built. */
  readonly entry: CacheEntry | null;
  /**
   * The build token: where the store's invalidations stood at the lookup. Read it before reading
   * the data an entry is built from, and store under it: a write that invalidates after it makes
   * the store refused. Opaque; carries the store's epoch, so a token from before a flush or restart
   * of the store is never accepted after it.
   */
  readonly token: string;
  /**
   * When `entry` is null because an invalidation of one of its tags made the stored entry
   * unreachable less than the store's grace ago (and no other invalidation since it was built is
   * older or unaccounted for): that entry, for the caller to serve as stale while one instance
   * rebuilds it. Never an entry of another epoch (a flush, a restart, invalidateAll).
   */
  readonly invalidated?: CacheEntry;
}

/** Shared cache of rendered catalogue responses, invalidated by tag. */
export interface CatalogCache {
  /** The valid entry for `key` (if any) and the current build token. */
  lookup(key: string): Promise<CacheLookup>;

  /**
   * Stores `entry` for `key`, kept for at most `ttlMs`, and returns true; or returns false when
   * `token` belongs to another epoch or one of the entry's tags was invalidated after `token` was
   * read. Atomic: an entry is never stored as valid once an invalidation of its tags is done. An
   * entry refused for such an invalidation still replaces an older one, as invalidated (it is newer
   * than what it replaces, and reachable only as `invalidated`, within that invalidation's grace).
   * Either way the rebuild lease on `key` (tryLease) is released, so the next rebuild need not wait.
   */
  store(key: string, token: string, entry: CacheEntry, ttlMs: number): Promise<boolean>;

  /**
   * Makes every entry carrying any of `tags` unreachable on every instance: at once through the
   * shared store, and in per-process tiers as soon as the announcement arrives (see the adapter).
   * Entries built under a token read before this call are refused when stored.
   */
  invalidate(tags: readonly CatalogTag[]): Promise<void>;

  /** Makes every entry stored so far unreachable at once, for writes whose tags are unknown (no key scan). */
  invalidateAll(): Promise<void>;

  /**
   * Takes the exclusive right to rebuild `key` for `leaseMs`; false when someone else holds it.
   * The lease expires by itself, so a holder that dies blocks nobody for long.
   */
  tryLease(key: string, leaseMs: number): Promise<boolean>;
}
