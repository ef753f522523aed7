import type { CacheEntry, CacheLookup, CatalogCache } from '../../domain/ports/catalog-cache.js';
import type { RedisCatalogCache } from './redis-catalog-cache.js';
import type { RedisClient } from './redis-client.js';

export interface NearCacheSettings {
  /** Most entries kept in this process; 0 turns the near tier off. */
  readonly maxEntries: number;
  /**
   * Longest an entry is served from memory before Redis is asked again, whatever the channel says:
   * the bound on staleness if the invalidation channel dies silently.
   */
  readonly maxAgeMs: number;
  readonly now?: () => number;
}

interface NearEntry {
  readonly generation: string;
  readonly entry: CacheEntry;
  /** The earliest of: the entry going stale, its Redis expiry when known, maxAgeMs after loading. */
  readonly servableUntil: number;
}

/**
 * The Redis catalogue cache with a near tier: fresh entries this process has read or stored are
 * served from its memory, with no Redis round trip, for as long as the generation they were stored
 * under is current. Every instance learns of a new generation from the invalidation channel that
 * RedisCatalogCache.invalidateAll publishes on (this instance at once; others as soon as the message
 * arrives, well under a millisecond on one network). While the channel's connection is down, or
 * before its subscription is confirmed, the near tier is bypassed and every lookup goes to Redis;
 * an entry is never served from memory for longer than maxAgeMs.
 */
export class RedisNearCatalogCache implements CatalogCache {
  private readonly entries = new Map<string, NearEntry>();
  private readonly now: () => number;
  /** The current generation as the channel tells it; undefined while the channel is not trusted. */
  private generation: string | undefined;
  private subscribed = false;
  private messages = 0;

  constructor(
    private readonly redis: RedisCatalogCache,
    private readonly subscriber: RedisClient,
    private readonly settings: NearCacheSettings,
  ) {
    this.now = settings.now ?? Date.now;
    for (const event of ['error', 'end', 'reconnecting']) subscriber.on(event, () => this.distrust());
    subscriber.on('ready', () => void this.watch());
    if (subscriber.isReady) void this.watch();
  }

  async lookup(key: string): Promise<CacheLookup> {
    const now = this.now();
    const generation = this.generation;
    if (generation !== undefined) {
      const near = this.entries.get(key);
      if (near && near.generation === generation && near.servableUntil > now) return { generation, entry: near.entry };
      // The channel tells the generation, so one GET finds the shared entry (no script).
      const entry = await this.redis.entryUnder(key, generation);
      if (entry) this.remember(key, generation, entry, now, Infinity);
      return { generation, entry };
    }
    const lookup = await this.redis.lookup(key);
    if (lookup.entry) this.remember(key, lookup.generation, lookup.entry, now, Infinity);
    return lookup;
  }

  async store(key: string, generation: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    await this.redis.store(key, generation, entry, ttlMs);
    const now = this.now();
    this.remember(key, generation, entry, now, now + ttlMs);
  }

  async invalidateAll(): Promise<void> {
    this.observe(await this.redis.bumpGeneration());
  }

  tryLease(key: string, leaseMs: number): Promise<boolean> {
    return this.redis.tryLease(key, leaseMs);
  }

  /** The generation the channel last told of; undefined while lookups all go to Redis. */
  get knownGeneration(): string | undefined {
    return this.generation;
  }

  private remember(key: string, generation: string, entry: CacheEntry, now: number, expiresAt: number) {
    const servableUntil = Math.min(entry.freshUntil, expiresAt, now + this.settings.maxAgeMs);
    if (this.settings.maxEntries === 0 || generation !== this.generation || servableUntil <= now) return;
    if (!this.entries.has(key) && this.entries.size >= this.settings.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { generation, entry, servableUntil });
  }

  /** Subscribes once (node-redis resubscribes by itself before every later 'ready'), then reads the generation. */
  private async watch() {
    try {
      if (!this.subscribed) {
        await this.subscriber.subscribe(this.redis.invalidationChannel, (message) => this.observe(message));
        this.subscribed = true;
      }
      // A message that arrives during the read is at least as new as what the read returns: read
      // again (a message that came before the subscription was confirmed did not set anything).
      for (let attempt = 0; attempt < 3 && this.generation === undefined && this.subscriber.isReady; attempt += 1) {
        const seen = this.messages;
        const generation = await this.redis.currentGeneration();
        if (seen === this.messages && this.subscriber.isReady) this.generation = generation;
      }
    } catch {
      this.distrust();
    }
  }

  private observe(generation: string) {
    this.messages += 1;
    if (generation === this.generation) return;
    this.entries.clear();
    if (this.subscribed && this.subscriber.isReady) this.generation = generation;
  }

  private distrust() {
    this.generation = undefined;
    this.entries.clear();
  }
}
