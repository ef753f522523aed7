import { randomUUID } from 'node:crypto';
import type { CatalogTag } from '../../domain/catalog-tags.js';
import type { CacheEntry, CacheLookup, CatalogCache } from '../../domain/ports/catalog-cache.js';
import { BoundedMap } from '../../shared/bounded-map.js';

interface Stored {
  readonly entry: CacheEntry;
  readonly builtAt: number;
  readonly expiresAt: number;
}

/**
 * Process-local CatalogCache: correct for a single instance only (other instances never see its
 * invalidations). The same rules as RedisCatalogCache: an entry built at sequence S is valid while
 * every one of its tags was last invalidated at or before S; invalidateAll starts a new epoch.
 */
export class InMemoryCatalogCache implements CatalogCache {
  private epoch = randomUUID();
  private sequence = 0;
  /** Tags invalidated at or below this sequence were forgotten (to bound memory): entries built before it are refused. */
  private floor = 0;
  private readonly invalidatedAt = new Map<CatalogTag, number>();
  private readonly entries: BoundedMap<string, Stored>;
  private readonly leases = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
    private readonly maxTags = 100_000,
  ) {
    this.entries = new BoundedMap(maxEntries);
  }

  async lookup(key: string): Promise<CacheLookup> {
    const token = `${this.epoch}:${this.sequence}`;
    const stored = this.entries.get(key);
    if (!stored) return { entry: null, token };
    if (stored.expiresAt > this.now() && this.valid(stored.builtAt, stored.entry.tags)) return { entry: stored.entry, token };
    this.entries.delete(key);
    return { entry: null, token };
  }

  async store(key: string, token: string, entry: CacheEntry, ttlMs: number): Promise<boolean> {
    const builtAt = this.sequenceOf(token);
    if (builtAt === null || !this.valid(builtAt, entry.tags)) return false;
    this.entries.set(key, { entry, builtAt, expiresAt: this.now() + ttlMs });
    return true;
  }

  async invalidate(tags: readonly CatalogTag[]): Promise<void> {
    this.sequence += 1;
    if (this.invalidatedAt.size + tags.length > this.maxTags) {
      this.invalidatedAt.clear();
      this.floor = this.sequence;
    }
    for (const tag of tags) this.invalidatedAt.set(tag, this.sequence);
  }

  async invalidateAll(): Promise<void> {
    this.epoch = randomUUID();
    this.entries.clear();
  }

  async tryLease(key: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    const heldUntil = this.leases.get(key);
    if (heldUntil !== undefined && heldUntil > now) return false;
    if (this.leases.size >= this.maxEntries) this.dropExpiredLeases(now);
    this.leases.set(key, now + leaseMs);
    return true;
  }

  private valid(builtAt: number, tags: readonly CatalogTag[]) {
    if (builtAt < this.floor) return false;
    return tags.every((tag) => (this.invalidatedAt.get(tag) ?? 0) <= builtAt);
  }

  /** The sequence of a token of the current epoch; null for any other. */
  private sequenceOf(token: string): number | null {
    const colon = token.lastIndexOf(':');
    if (token.slice(0, colon) !== this.epoch) return null;
    return Number(token.slice(colon + 1));
  }

  private dropExpiredLeases(now: number) {
    for (const [key, until] of this.leases) if (until <= now) this.leases.delete(key);
  }
}
