import { inject, injectable } from 'inversify';
import type { CatalogCache, CacheLookup } from '../domain/ports/catalog-cache.js';
import type { Clock } from '../domain/ports/clock.js';
import type { Logger } from '../domain/ports/logger.js';
import { TYPES } from '../types.js';

export type CacheStatus = 'HIT' | 'MISS' | 'STALE';

export interface CachedValue {
  readonly value: string;
  readonly status: CacheStatus;
}

export interface CatalogCacheSettings {
  /** How long an entry is served as fresh. */
  readonly freshMs: number;
  /** How long after that a stale entry is still served while one caller rebuilds it. */
  readonly staleMs: number;
  /** Fraction (0..1) by which freshMs is randomly shortened, so entries do not expire together. */
  readonly jitter: number;
  /** How long one instance holds the right to rebuild a stale key. */
  readonly leaseMs: number;
}

const DEGRADED_LOG_INTERVAL_MS = 10_000;

/**
 * Cache-aside with stampede protection: concurrent misses for one key in this process share one
 * build; a stale entry is served while a single instance (holding a lease) rebuilds it; a cache
 * that cannot answer degrades to building every time instead of failing the request.
 */
@injectable()
export class ReadThroughCache {
  private readonly inFlight = new Map<string, Promise<string>>();
  private lastDegradedLog = -Infinity;

  constructor(
    @inject(TYPES.CatalogCache) private readonly cache: CatalogCache,
    @inject(TYPES.Clock) private readonly clock: Clock,
    @inject(TYPES.Logger) private readonly logger: Logger,
    @inject(TYPES.CatalogCacheSettings) private readonly settings: CatalogCacheSettings,
  ) {}

  async get(key: string, build: () => Promise<string>): Promise<CachedValue> {
    const lookup = await this.lookup(key);
    const entry = lookup?.entry;
    if (entry && entry.freshUntil > this.clock.now()) return { value: entry.value, status: 'HIT' };
    if (entry && lookup) {
      void this.refreshIfLeased(key, lookup.generation, build);
      return { value: entry.value, status: 'STALE' };
    }
    return { value: await this.buildOnce(key, lookup?.generation, build), status: 'MISS' };
  }

  private async lookup(key: string): Promise<CacheLookup | null> {
    try {
      return await this.cache.lookup(key);
    } catch (error) {
      this.degraded(error);
      return null;
    }
  }

  private async refreshIfLeased(key: string, generation: string, build: () => Promise<string>) {
    try {
      if (await this.cache.tryLease(key, this.settings.leaseMs)) {
        await this.buildOnce(key, generation, build);
      }
    } catch (error) {
      this.logger.warn({ err: error, key }, 'background cache refresh failed; stale entry kept');
    }
  }

  private buildOnce(key: string, generation: string | undefined, build: () => Promise<string>) {
    const running = this.inFlight.get(key);
    if (running) return running;
    // The flight ends only once the value is stored, so late arrivals find it instead of rebuilding.
    const promise = build()
      .then(async (value) => {
        if (generation !== undefined) await this.store(key, generation, value);
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  private async store(key: string, generation: string, value: string) {
    const { freshMs, staleMs, jitter } = this.settings;
    const fresh = Math.round(freshMs * (1 - jitter * Math.random()));
    try {
      await this.cache.store(key, generation, { value, freshUntil: this.clock.now() + fresh }, fresh + staleMs);
    } catch (error) {
      this.degraded(error);
    }
  }

  private degraded(error: unknown) {
    const now = this.clock.now();
    if (now - this.lastDegradedLog < DEGRADED_LOG_INTERVAL_MS) return;
    this.lastDegradedLog = now;
    this.logger.warn({ err: error }, 'catalogue cache unavailable; serving from the database');
  }
}
