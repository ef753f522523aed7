import type { Knex } from 'knex';
import type { HealthIndicator } from '../../domain/ports/health-indicator.js';

export class KnexHealthIndicator implements HealthIndicator {
  readonly name = 'database';

  constructor(private readonly knex: Knex) {}

  async check(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await this.knex.raw('select 1');
  }
}
