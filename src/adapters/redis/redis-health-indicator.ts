import type { HealthIndicator } from '../../domain/ports/health-indicator.js';
import type { RedisClient } from './redis-client.js';

/**
 * Ready when commands can run: connected, the server (on a Cluster, every primary, with every hash
 * slot assigned) answers PING. A single-server client pointed at a Cluster member is not ready: it
 * would reach only the keys of that member's slots (the rest answer MOVED), so it names the setting.
 */
export class RedisHealthIndicator implements HealthIndicator {
  readonly name = 'redis';

  constructor(private readonly client: RedisClient) {}

  async check(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (!this.client.isReady) throw new Error('not connected');
    await this.client.ping();
    if (this.client.topology !== undefined) return;
    const info = String(await this.client.sendCommand(['INFO', 'cluster']));
    if (/^cluster_enabled:1/m.test(info)) {
      throw new Error('REDIS_URL names a member of a Redis Cluster; list the cluster in REDIS_CLUSTER_URLS instead');
    }
  }
}
