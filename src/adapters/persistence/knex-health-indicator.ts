import type { Knex } from 'knex';
import type { HealthIndicator } from '../../domain/ports/health-indicator.js';
import { requestScope } from '../shared/request-scope.js';

/**
 * Asks the database for `select 1`. Give it a connection of its own: a probe that queues behind
 * busy catalogue reads reports a healthy database as down. The probe runs in a scope of its own,
 * so its statement is cancelled when the probe's signal aborts (its timeout), not when the request
 * that happened to start it goes away.
 */
export class KnexHealthIndicator implements HealthIndicator {
  readonly name = 'database';

  constructor(private readonly knex: Knex) {}

  async check(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await requestScope.run({ requestId: 'readiness-probe', signal }, () => this.knex.raw('select 1'));
  }
}
