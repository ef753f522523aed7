import { randomUUID } from 'node:crypto';
import type { EventClaim, EventDeduplicator } from '../../domain/ports/event-deduplicator.js';
import type { RedisClient } from './redis-client.js';
import { RedisScript } from './redis-script.js';

// One key per event: "processing:<token>" with the lease as its TTL, then "done" with the retention.
const CLAIM = new RedisScript(`
local current = redis.call('GET', KEYS[1])
if not current then
  redis.call('SET', KEYS[1], 'processing:' .. ARGV[1], 'PX', ARGV[2])
  return {'claimed'}
end
if current == 'done' then return {'done'} end
return {'processing', redis.call('PTTL', KEYS[1])}
`);

const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == 'processing:' .. ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export class RedisEventDeduplicator implements EventDeduplicator {
  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {}

  async claim(eventId: string, leaseMs: number): Promise<EventClaim> {
    const token = randomUUID();
    const [status, ttl] = (await CLAIM.run(this.client, [this.key(eventId)], [token, String(leaseMs)])) as [string, number?];
    if (status === 'claimed') return { status, token };
    if (status === 'done') return { status };
    return { status: 'processing', retryAfterMs: Math.max(1, Number(ttl)) };
  }

  async complete(eventId: string, retainMs: number): Promise<void> {
    await this.client.set(this.key(eventId), 'done', { expiration: { type: 'PX', value: retainMs } });
  }

  async release(eventId: string, token: string): Promise<void> {
    await RELEASE.run(this.client, [this.key(eventId)], [token]);
  }

  private key(eventId: string) {
    return `${this.prefix}partner-event:${eventId}`;
  }
}
