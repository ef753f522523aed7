import type { CacheEntry, CacheLookup, CatalogCache } from '../../domain/ports/catalog-cache.js';
import type { RedisClient } from './redis-client.js';
import { RedisScript } from './redis-script.js';

// Reads the generation and the entry under it in one round trip and one atomic step.
const LOOKUP = new RedisScript(`
local generation = redis.call('GET', KEYS[1]) or '0'
return { generation, redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2]) }
`);

// Bumps the generation and announces it, in one atomic step, to every instance's near tier.
const INVALIDATE = new RedisScript(`
local generation = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], generation)
return generation
`);

/**
 * Entries live under `<prefix>catalog:<generation>:<key>`; bumping the generation orphans them all.
 * Each bump is published on `invalidationChannel` (see RedisNearCatalogCache).
 */
export class RedisCatalogCache implements CatalogCache {
  readonly invalidationChannel: string;
  private readonly generationKey: string;
  private readonly entryPrefix: string;

  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {
    this.generationKey = `${prefix}catalog:generation`;
    this.entryPrefix = `${prefix}catalog:`;
    this.invalidationChannel = `${prefix}catalog:invalidated`;
  }

  async lookup(key: string): Promise<CacheLookup> {
    const [generation, raw] = (await LOOKUP.run(this.client, [this.generationKey], [this.entryPrefix, key])) as [
      string,
      string | null,
    ];
    return { generation, entry: raw === null ? null : decode(raw) };
  }

  /** The entry stored for `key` under a generation the caller already knows (one plain GET). */
  async entryUnder(key: string, generation: string): Promise<CacheEntry | null> {
    const raw = await this.client.get(`${this.entryPrefix}${generation}:${key}`);
    return raw === null ? null : decode(raw);
  }

  async store(key: string, generation: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    await this.client.set(`${this.entryPrefix}${generation}:${key}`, `${entry.freshUntil}|${entry.value}`, {
      expiration: { type: 'PX', value: Math.max(1, Math.round(ttlMs)) },
    });
  }

  async invalidateAll(): Promise<void> {
    await this.bumpGeneration();
  }

  /** invalidateAll, returning the new generation. */
  async bumpGeneration(): Promise<string> {
    return String(await INVALIDATE.run(this.client, [this.generationKey], [this.invalidationChannel]));
  }

  async currentGeneration(): Promise<string> {
    return (await this.client.get(this.generationKey)) ?? '0';
  }

  async tryLease(key: string, leaseMs: number): Promise<boolean> {
    const reply = await this.client.set(`${this.prefix}catalog-lease:${key}`, '1', {
      expiration: { type: 'PX', value: leaseMs },
      condition: 'NX',
    });
    return reply === 'OK';
  }
}

function decode(raw: string): CacheEntry {
  const bar = raw.indexOf('|');
  return { freshUntil: Number(raw.slice(0, bar)), value: raw.slice(bar + 1) };
}
