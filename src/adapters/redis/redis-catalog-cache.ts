import type { CacheEntry, CacheLookup, CatalogCache } from '../../domain/ports/catalog-cache.js';
import type { RedisClient } from './redis-client.js';
import { RedisScript } from './redis-script.js';

// Reads the generation and the entry under it in one round trip and one atomic step.
const LOOKUP = new RedisScript(`
local generation = redis.call('GET', KEYS[1]) or '0'
return { generation, redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2]) }
`);

/** Entries live under `<prefix>catalog:<generation>:<key>`; bumping the generation orphans them all. */
export class RedisCatalogCache implements CatalogCache {
  private readonly generationKey: string;
  private readonly entryPrefix: string;

  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {
    this.generationKey = `${prefix}catalog:generation`;
    this.entryPrefix = `${prefix}catalog:`;
  }

  async lookup(key: string): Promise<CacheLookup> {
    const [generation, raw] = (await LOOKUP.run(this.client, [this.generationKey], [this.entryPrefix, key])) as [
      string,
      string | null,
    ];
    return { generation, entry: raw === null ? null : decode(raw) };
  }

  async store(key: string, generation: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    await this.client.set(`${this.entryPrefix}${generation}:${key}`, `${entry.freshUntil}|${entry.value}`, {
      expiration: { type: 'PX', value: Math.max(1, Math.round(ttlMs)) },
    });
  }

  async invalidateAll(): Promise<void> {
    await this.client.incr(this.generationKey);
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
