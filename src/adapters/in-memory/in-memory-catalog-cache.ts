import { randomUUID } from 'node:crypto';
import type { CatalogTag } from '../../domain/catalog-tags.js';
import type { CacheEntry, CacheLookup, CatalogCache } from '../../domain/ports/catalog-cache.js';
import { BoundedMap } from '../../shared/bounded-map.js';

interface Stored {
  readonly entry: CacheEntry;
  readonly builtAt: number;
  readonly expiresAt: number;
}

/** A tag's last invalidation: its sequence and time, and the sequence of the one before it. */
interface Mark {
  readonly sequence: number;
  readonly at: number;
  readonly previous: number;
}

export interface InMemoryCatalogCacheOptions {
  readonly maxEntries?: number;
  /** Tags remembered before all are forgotten (entries built before then are refused). */
  readonly maxTags?: number;
  /** How long after an invalidation an entry it made unreachable is offered as `invalidated` (0: never). */
  readonly graceMs?: number;
}

/**
 * Process-local CatalogCache: correct for a single instance only (other instances never see its
 * invalidations). The same rules as RedisCatalogCache: an entry built at sequence S is valid while
 * every one of its tags was last invalidated at or before S, and offered as invalidated for the
 * grace after the first invalidation past S when each tag moved past S once; invalidateAll starts
 * a new epoch.
 */
export class InMemoryCatalogCache implements CatalogCache {
  private epoch = randomUUID();
  private sequence = 0;
  /** Tags invalidated at or below this sequence were forgotten (to bound memory): entries built before it are refused. */
  private floor = 0;
  private readonly marks = new Map<CatalogTag, Mark>();
  private readonly entries: BoundedMap<string, Stored>;
  private readonly leases = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly maxTags: number;
  private readonly graceMs: number;

  constructor(
    private readonly now: () => number = Date.now,
    options: InMemoryCatalogCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxTags = options.maxTags ?? 100_000;
    this.graceMs = options.graceMs ?? 0;
    this.entries = new BoundedMap(this.maxEntries);
  }

  async lookup(key: string): Promise<CacheLookup> {
    const token = `${this.epoch}:${this.sequence}`;
    const stored = this.entries.get(key);
    if (!stored) return { entry: null, token };
    const state = stored.expiresAt > this.now() ? this.state(stored.builtAt, stored.entry.tags) : 'invalid';
    if (state === 'valid') return { entry: stored.entry, token };
    if (typeof state === 'number') {
      // Kept (until its ttl, or a rebuild replaces it): once invalidated, offered for the grace.
      return this.now() - state < this.graceMs ? { entry: null, token, invalidated: stored.entry } : { entry: null, token };
    }
    this.entries.delete(key);
    return { entry: null, token };
  }

  async store(key: string, token: string, entry: CacheEntry, ttlMs: number): Promise<boolean> {
    this.leases.delete(key);
    const builtAt = this.sequenceOf(token);
    if (builtAt === null) return false;
    const valid = this.state(builtAt, entry.tags) === 'valid';
    const held = this.entries.get(key);
    // Overtaken by an invalidation, it still replaces an entry built no later (offered as invalidated).
    if (valid || !held || held.builtAt <= builtAt) this.entries.set(key, { entry, builtAt, expiresAt: this.now() + ttlMs });
    return valid;
  }

  async invalidate(tags: readonly CatalogTag[]): Promise<void> {
    this.sequence += 1;
    if (this.marks.size + tags.length > this.maxTags) {
      this.marks.clear();
      this.floor = this.sequence;
    }
    const at = this.now();
    for (const tag of tags) this.marks.set(tag, { sequence: this.sequence, at, previous: this.marks.get(tag)?.sequence ?? 0 });
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

  /**
   * 'valid' when no tag moved past `builtAt`; the time of the earliest invalidation past it when
   * each tag that did moved once; 'invalid' otherwise (or when marks older than it were forgotten).
   */
  private state(builtAt: number, tags: readonly CatalogTag[]): 'valid' | 'invalid' | number {
    if (builtAt < this.floor) return 'invalid';
    let earliest: number | undefined;
    for (const tag of tags) {
      const mark = this.marks.get(tag);
      if (mark === undefined || mark.sequence <= builtAt) continue;
      if (mark.previous > builtAt) return 'invalid';
      earliest = Math.min(earliest ?? Infinity, mark.at);
    }
    return earliest ?? 'valid';
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
