import type { CacheEntry, CacheLookup, CatalogCache } from '../../domain/ports/catalog-cache.js';

interface Stored {
  readonly entry: CacheEntry;
  readonly expiresAt: number;
}

/** Process-local CatalogCache: correct for a single instance only (other instances never see its invalidations). */
export class InMemoryCatalogCache implements CatalogCache {
  private generation = 0;
  private readonly entries = new Map<string, Stored>();
  private readonly leases = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  async lookup(key: string): Promise<CacheLookup> {
    const generation = String(this.generation);
    const stored = this.entries.get(`${generation}:${key}`);
    const live = stored && stored.expiresAt > this.now() ? stored.entry : null;
    return { entry: live, generation };
  }

  async store(key: string, generation: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    if (generation !== String(this.generation)) return;
    if (this.entries.size >= this.maxEntries) this.evictOldest();
    this.entries.set(`${generation}:${key}`, { entry, expiresAt: this.now() + ttlMs });
  }

  async invalidateAll(): Promise<void> {
    this.generation += 1;
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

  private dropExpiredLeases(now: number) {
    for (const [key, until] of this.leases) if (until <= now) this.leases.delete(key);
  }

  private evictOldest() {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
