import type { AvailabilitySnapshot, LastKnownAvailability } from '../../domain/ports/last-known-availability.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { RedisClient } from './redis-client.js';
import { RedisScript } from './redis-script.js';
import { ThrottledWarning } from '../../shared/throttled-warning.js';

// Compare-and-set on asOf in one atomic step: a slow, older answer never replaces a newer one.
const REMEMBER = new RedisScript(`
local current = redis.call('GET', KEYS[1])
if current then
  local asOf = tonumber(string.match(current, '^(%d+)|'))
  if asOf and asOf >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
return 1
`);

const LOG_INTERVAL_MS = 10_000;

/**
 * Last known availability in Redis (shared by every instance, kept across restarts), mirrored in
 * process: when Redis cannot answer, the mirror does, so a Redis outage on top of a partner outage
 * still serves what this instance saw. Entries expire `retentionMs` after their asOf.
 */
export class RedisLastKnownAvailability implements LastKnownAvailability {
  private readonly warning: ThrottledWarning;

  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
    private readonly retentionMs: number,
    private readonly mirror: LastKnownAvailability,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.warning = new ThrottledWarning((fields, message) => logger.warn(fields, message), LOG_INTERVAL_MS, now);
  }

  async remember(snapshot: AvailabilitySnapshot): Promise<void> {
    await this.mirror.remember(snapshot);
    const asOf = snapshot.asOf.getTime();
    const ttlMs = asOf + this.retentionMs - this.now();
    if (ttlMs <= 0) return;
    try {
      await REMEMBER.run(
        this.client,
        [this.key(snapshot.sku)],
        [String(asOf), `${snapshot.pricePaise}|${snapshot.stock}`, String(Math.ceil(ttlMs))],
      );
    } catch (error) {
      this.degraded(error);
    }
  }

  async recall(sku: string): Promise<AvailabilitySnapshot | null> {
    const local = await this.mirror.recall(sku);
    let raw: string | null;
    try {
      raw = await this.client.get(this.key(sku));
    } catch (error) {
      this.degraded(error);
      return local;
    }
    const shared = raw === null ? null : decode(sku, raw);
    if (!shared) return local;
    return local && local.asOf.getTime() > shared.asOf.getTime() ? local : shared;
  }

  private key(sku: string) {
    return `${this.prefix}availability:${sku}`;
  }

  private degraded(error: unknown) {
    this.warning.warn({ err: error }, 'redis unavailable for last known availability; using the in-process copy');
  }
}

function decode(sku: string, raw: string): AvailabilitySnapshot | null {
  const [asOf, pricePaise, stock] = raw.split('|').map(Number);
  if (!Number.isFinite(asOf) || !Number.isFinite(pricePaise) || !Number.isFinite(stock)) return null;
  return { sku, pricePaise: pricePaise, stock: stock, asOf: new Date(asOf) };
}
