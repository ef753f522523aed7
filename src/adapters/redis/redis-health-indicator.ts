import type { HealthIndicator } from '../../domain/ports/health-indicator.js';
import type { RedisClient } from './redis-client.js';

export class RedisHealthIndicator implements HealthIndicator {
  readonly name = 'redis';

  constructor(private readonly client: RedisClient) {}

  async check(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (!this.client.isReady) throw new Error('not connected');
    await this.client.ping();
  }
}
