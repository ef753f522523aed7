import { inject, injectable } from 'inversify';
import type { CatalogTag } from '../domain/catalog-tags.js';
import { WorkCancelledError } from '../domain/errors/work-cancelled-error.js';
import type { CatalogCache, CacheLookup } from '../domain/ports/catalog-cache.js';
import type { Clock } from '../domain/ports/clock.js';
import type { Logger } from '../domain/ports/logger.js';
import { TYPES } from '../types.js';
import { BoundedMap } from '../shared/bounded-map.js';
import { ThrottledWarning } from '../shared/throttled-warning.js';

export type CacheStatus = 'HIT' | 'MISS' | 'STALE';

export interface CachedValue {
  readonly value: string;
  readonly status: CacheStatus;
}

/** A response as built from the source, with what it was built from (see catalog-tags). */
export interface BuiltValue {
  readonly value: string;
  readonly tags: readonly CatalogTag[];
}

export type Build = () => Promise<BuiltValue>;

export interface CatalogCacheSettings {
  /** How long an entry is served as fresh. */
  readonly freshMs: number;
  /** How long after that a stale entry is still served while one caller rebuilds it. */
  readonly staleMs: number;
  /** Fraction (0..1) by which freshMs is randomly shortened, so entries do not expire together. */
  readonly jitter: number;
  /** How long one instance holds the right to rebuild a stale key (a store releases it sooner). */
  readonly leaseMs: number;
}

export interface CacheGetOptions {
  /**
   * 'first-sight' (default): the shared cache is asked first, and what a miss builds is stored.
   * 'second-sight': a key this process has not seen before (among the last DOORKEEPER_KEYS keys)
   * is built straight from the source, with no shared-cache traffic, and stored only when asked
   * for again; so pages asked for once, such as most pages deep behind a cursor, cost neither a
   * lookup nor a store. If that build fails, the shared cache is asked after all.
   */
  readonly admit?: 'first-sight' | 'second-sight';
}

const DEGRADED_LOG_INTERVAL_MS = 10_000;
const DOORKEEPER_KEYS = 10_000;

/**
 * Cache-aside with stampede protection: concurrent misses for one key in this process share one
 * build; a stale entry is served while a single instance (holding a lease) rebuilds it, and so is
 * one a write invalidated less than the store's grace ago (CacheLookup.invalidated); a cache that
 * cannot answer degrades to building every time instead of failing the request.
 */
@injectable()
export class ReadThroughCache {
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Keys this process is rebuilding in the background: their stale readers need not ask for the lease. */
  private readonly refreshing = new Set<string>();
  /** Keys seen under second-sight admission; the oldest is forgotten when full. */
  private readonly seen = new BoundedMap<string, true>(DOORKEEPER_KEYS);
  private readonly degradedWarning: ThrottledWarning;

  constructor(
    @inject(TYPES.CatalogCache) private readonly cache: CatalogCache,
    @inject(TYPES.Clock) private readonly clock: Clock,
    @inject(TYPES.Logger) private readonly logger: Logger,
    @inject(TYPES.CatalogCacheSettings) private readonly settings: CatalogCacheSettings,
  ) {
    this.degradedWarning = new ThrottledWarning(
      (fields, message) => logger.warn(fields, message),
      DEGRADED_LOG_INTERVAL_MS,
      () => clock.now(),
    );
  }

  get(key: string, build: Build, options: CacheGetOptions = {}): Promise<CachedValue> {
    if (options.admit === 'second-sight' && !this.seenBefore(key)) return this.buildUncached(key, build);
    // One then() on the lookup rather than async/await: a hit costs two promises instead of five
    // (async get, await, async lookup, await, the port's), and with a request scope active every
    // promise runs its AsyncLocalStorage init hook.
    return this.lookup(key).then(
      (lookup) => this.answer(key, lookup, build),
      (error: unknown) => {
        this.degraded(error);
        return this.answer(key, null, build);
      },
    );
  }

  private answer(key: string, lookup: CacheLookup | null, build: Build): CachedValue | Promise<CachedValue> {
    const entry = lookup?.entry;
    if (entry && entry.freshUntil > this.clock.now()) return { value: entry.value, status: 'HIT' };
    // Stale by age, or invalidated by a write within the store's grace: served while one instance rebuilds it.
    const servable = entry ?? lookup?.invalidated;
    if (servable && lookup) {
      this.refreshInBackground(key, lookup.token, build);
      return { value: servable.value, status: 'STALE' };
    }
    return this.buildOnce(key, lookup?.token, build).then((value) => ({ value, status: 'MISS' }));
  }

  private seenBefore(key: string) {
    if (this.seen.has(key)) return true;
    this.seen.set(key, true);
    return false;
  }

  /** A first sight: from the source; from the shared cache only if the source cannot answer. */
  private async buildUncached(key: string, build: Build): Promise<CachedValue> {
    try {
      return { value: await this.buildOnce(key, undefined, build), status: 'MISS' };
    } catch (error) {
      const lookup = await this.lookup(key).catch((failure: unknown) => {
        this.degraded(failure);
        return null;
      });
      const entry = lookup?.entry;
      if (entry) return { value: entry.value, status: entry.freshUntil > this.clock.now() ? 'HIT' : 'STALE' };
      if (lookup?.invalidated) return { value: lookup.invalidated.value, status: 'STALE' };
      throw error;
    }
  }

  /** The shared cache's lookup; a port that throws instead of rejecting is treated as rejecting. */
  private lookup(key: string): Promise<CacheLookup> {
    try {
      return this.cache.lookup(key);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Rebuilds `key` unless this process already is, or another instance holds its lease. */
  private refreshInBackground(key: string, token: string, build: Build) {
    if (this.refreshing.has(key)) return;
    this.refreshing.add(key);
    void this.refreshIfLeased(key, token, build).finally(() => this.refreshing.delete(key));
  }

  private async refreshIfLeased(key: string, token: string, build: Build) {
    try {
      if (await this.cache.tryLease(key, this.settings.leaseMs)) {
        await this.buildOnce(key, token, build);
      }
    } catch (error) {
      this.logger.warn({ err: error, key }, 'background cache refresh failed; stale entry kept');
    }
  }

  /**
   * Builds `key` once for every concurrent caller in this process that looked up under the same
   * `token`. The token was read before the build reads its data (undefined: do not store), so a
   * write that lands during the build makes the store refused; and a caller that looked up after
   * that write (a newer token) starts a build of its own instead of joining one that may have read
   * the data before it.
   */
  private buildOnce(key: string, token: string | undefined, build: Build) {
    const flight = token === undefined ? key : `${key}\u0000${token}`;
    // A first-sight build (no token, see admit) is joined by anyone: it started moments ago.
    const running = this.inFlight.get(flight) ?? this.inFlight.get(key);
    // The starter's request ending cancels its build, not the joiners' requests: they build for themselves.
    if (running)
      return running.catch((error: unknown) =>
        error instanceof WorkCancelledError ? build().then((built) => built.value) : Promise.reject(error),
      );
    // The flight ends only once the value is stored, so late arrivals find it instead of rebuilding.
    const promise = build()
      .then(async (built) => {
        if (token !== undefined) await this.store(key, token, built);
        return built.value;
      })
      .finally(() => this.inFlight.delete(flight));
    this.inFlight.set(flight, promise);
    return promise;
  }

  private async store(key: string, token: string, { value, tags }: BuiltValue) {
    const { freshMs, staleMs, jitter } = this.settings;
    const fresh = Math.round(freshMs * (1 - jitter * Math.random()));
    try {
      await this.cache.store(key, token, { value, tags, freshUntil: this.clock.now() + fresh }, fresh + staleMs);
    } catch (error) {
      this.degraded(error);
    }
  }

  private degraded(error: unknown) {
    this.degradedWarning.warn({ err: error }, 'catalogue cache unavailable; serving from the database');
  }
}
