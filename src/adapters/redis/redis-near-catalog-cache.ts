import type { CatalogTag } from '../../domain/catalog-tags.js';
import type { CacheEntry, CacheLookup, CatalogCache } from '../../domain/ports/catalog-cache.js';
import { refusedLookup, tokenEpoch, tokenSequence, type RedisCatalogCache, type Verdict } from './redis-catalog-cache.js';
import type { RedisClient } from './redis-client.js';
import { BoundedMap } from '../../shared/bounded-map.js';

export interface NearCacheSettings {
  /** Most entries kept in this process; 0 turns the near tier off. */
  readonly maxEntries: number;
  /**
   * Longest an entry is served from memory before Redis is asked again, whatever the channel says:
   * the bound on staleness if an invalidation message is lost.
   */
  readonly maxAgeMs: number;
  readonly now?: () => number;
}

/**
 * Invalidations remembered by sequence (their tags), so an entry Redis vouched for just before some
 * of them can still be kept when none concerns it. At 200 writes a second, that is several seconds.
 */
const RECENT_INVALIDATIONS = 2_048;

interface NearEntry {
  readonly entry: CacheEntry;
  /** The earliest of: the entry going stale, its Redis expiry when known, maxAgeMs after loading. */
  readonly servableUntil: number;
}

/**
 * The Redis catalogue cache with a near tier: valid fresh entries this process has read or stored
 * are served from its memory with no Redis round trip. Every invalidation is announced on the
 * deployment's channel with its token and tags (RedisCatalogCache); each instance evicts exactly
 * the entries carrying those tags (this instance at once, others as the message arrives), and all
 * of them on a message of another epoch. An entry is never served from memory for longer than
 * maxAgeMs, and while the channel's connection is down, or before its subscription is confirmed,
 * the near tier is bypassed: every lookup goes to Redis.
 *
 * With the channel trusted, the token this tier knows (the newest it heard of) is a valid build
 * token: every invalidation at or below it was heard before the caller reads its data. A lookup
 * that misses memory costs one GET, and one script to check the entry's tags when there is one.
 */
export class RedisNearCatalogCache implements CatalogCache {
  private readonly entries: BoundedMap<string, NearEntry>;
  private readonly keysByTag = new Map<CatalogTag, Set<string>>();
  /** The tags of each invalidation heard in the current epoch, by sequence; the oldest leave first. */
  private readonly recent = new Map<number, readonly CatalogTag[]>();
  private readonly now: () => number;
  /** The newest token the channel told of; undefined while the channel is not trusted. */
  private token: string | undefined;
  private subscribed = false;
  private messages = 0;

  constructor(
    private readonly redis: RedisCatalogCache,
    private readonly subscriber: RedisClient,
    private readonly settings: NearCacheSettings,
  ) {
    this.now = settings.now ?? Date.now;
    // The oldest entry makes way when full, and leaves the tag index with it.
    this.entries = new BoundedMap(Math.max(1, settings.maxEntries), (key, near) => this.unindex(key, near));
    for (const event of ['error', 'end', 'reconnecting']) subscriber.on(event, () => this.distrust());
    subscriber.on('ready', () => void this.watch());
    if (subscriber.isReady) void this.watch();
  }

  async lookup(key: string): Promise<CacheLookup> {
    const token = this.token;
    if (token === undefined) return this.redis.lookup(key);
    const now = this.now();
    const near = this.entries.get(key);
    if (near !== undefined) {
      if (near.servableUntil > now) return { token, entry: near.entry };
      this.forget(key);
    }
    const found = await this.redis.rawEntry(key);
    if (found === null) return { token, entry: null };
    const verdict = await this.redis.validate(found);
    this.learn(verdict);
    const current = this.token ?? verdict.token;
    if (!verdict.valid) return refusedLookup(found, verdict, current);
    this.remember(key, found.entry, verdict, now, Infinity);
    return { token: current, entry: found.entry };
  }

  async store(key: string, token: string, entry: CacheEntry, ttlMs: number): Promise<boolean> {
    const verdict = await this.redis.storeReporting(key, token, entry, ttlMs);
    this.learn(verdict);
    if (verdict.valid) {
      const now = this.now();
      this.remember(key, entry, verdict, now, now + ttlMs);
    }
    return verdict.valid;
  }

  async invalidate(tags: readonly CatalogTag[]): Promise<void> {
    const token = await this.redis.invalidateReporting(tags);
    this.observe(token, tags);
  }

  async invalidateAll(): Promise<void> {
    this.observe(await this.redis.invalidateAllReporting(), []);
  }

  tryLease(key: string, leaseMs: number): Promise<boolean> {
    return this.redis.tryLease(key, leaseMs);
  }

  /** The token the channel last told of; undefined while lookups all go to Redis. */
  get knownToken(): string | undefined {
    return this.token;
  }

  /** Entries held in memory now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Keeps an entry Redis found valid at `verdict.token`, unless an invalidation newer than that,
   * heard meanwhile, carries one of its tags: it arrived before the entry could be indexed, so it
   * could not evict it. Under a steady stream of writes many replies are overtaken by some
   * invalidation; keeping only entries that none overtook kept fewer in memory the more writes
   * there were (each one left out was read from Redis again at its next request). An overtaking
   * invalidation whose tags are no longer known counts as concerning it.
   */
  private remember(key: string, entry: CacheEntry, verdict: Verdict, now: number, expiresAt: number) {
    const known = this.token;
    if (known === undefined || this.settings.maxEntries === 0) return;
    if (tokenEpoch(known) !== tokenEpoch(verdict.token) || this.overtaken(entry, tokenSequence(verdict.token), tokenSequence(known)))
      return;
    const servableUntil = Math.min(entry.freshUntil, expiresAt, now + this.settings.maxAgeMs);
    if (servableUntil <= now) return;
    this.forget(key);
    this.entries.set(key, { entry, servableUntil });
    for (const tag of entry.tags) {
      let keys = this.keysByTag.get(tag);
      if (keys === undefined) this.keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Whether an invalidation after sequence `since`, up to `latest`, may concern the entry. */
  private overtaken(entry: CacheEntry, since: number, latest: number): boolean {
    if (latest <= since) return false;
    if (latest - since > RECENT_INVALIDATIONS) return true;
    const tags = new Set(entry.tags);
    for (let sequence = since + 1; sequence <= latest; sequence += 1) {
      const heard = this.recent.get(sequence);
      if (heard === undefined || heard.some((tag) => tags.has(tag))) return true;
    }
    return false;
  }

  private forget(key: string) {
    const near = this.entries.get(key);
    if (near === undefined) return;
    this.entries.delete(key);
    this.unindex(key, near);
  }

  private unindex(key: string, near: NearEntry) {
    for (const tag of near.entry.tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
  }

  /** A reply from Redis shows the epoch changed (a flush or restart announces nothing): start over in it. */
  private learn(verdict: Verdict) {
    if (this.token !== undefined && tokenEpoch(verdict.token) !== tokenEpoch(this.token)) this.observe(verdict.token, []);
  }

  /** Subscribes once (node-redis resubscribes by itself before every later 'ready'), then reads the token. */
  private async watch() {
    try {
      if (!this.subscribed) {
        await this.subscriber.subscribe(this.redis.invalidationChannel, (message) => this.onMessage(message));
        this.subscribed = true;
      }
      // A message that arrives during the read is at least as new as what the read returns: read
      // again (a message that came before the subscription was confirmed did not set anything).
      for (let attempt = 0; attempt < 3 && this.token === undefined && this.subscriber.isReady; attempt += 1) {
        const seen = this.messages;
        const token = await this.redis.currentToken();
        if (seen === this.messages && this.subscriber.isReady) this.token = token;
      }
    } catch {
      this.distrust();
    }
  }

  private onMessage(message: string) {
    this.messages += 1;
    const bar = message.indexOf('|');
    const tags = message.slice(bar + 1);
    this.observe(message.slice(0, bar), tags === '' ? [] : tags.split(','));
  }

  /** Applies the invalidation `token` of `tags`; one of another epoch clears everything. */
  private observe(token: string, tags: readonly CatalogTag[]) {
    const known = this.token;
    if (known === undefined || tokenEpoch(known) !== tokenEpoch(token)) {
      this.clear();
    } else {
      for (const tag of tags) for (const key of this.keysByTag.get(tag) ?? []) this.forget(key);
      this.heard(tokenSequence(token), tags);
      if (tokenSequence(token) <= tokenSequence(known)) return;
    }
    if (this.subscribed && this.subscriber.isReady) this.token = token;
  }

  private heard(sequence: number, tags: readonly CatalogTag[]) {
    this.recent.set(sequence, tags);
    if (this.recent.size > RECENT_INVALIDATIONS) this.recent.delete(this.recent.keys().next().value!);
  }

  private distrust() {
    this.token = undefined;
    this.clear();
  }

  private clear() {
    this.entries.clear();
    this.keysByTag.clear();
    this.recent.clear();
  }
}
