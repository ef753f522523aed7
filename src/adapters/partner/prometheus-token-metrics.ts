import { Counter, type Registry } from 'prom-client';
import type { TokenMetrics } from './token-metrics.js';

/** TokenMetrics as Prometheus counters on the app's registry. */
export class PrometheusTokenMetrics implements TokenMetrics {
  private readonly fetches: Counter;
  private readonly failures: Counter<'reason'>;
  private readonly hits: Counter<'layer'>;
  private readonly waits: Counter;
  private readonly redisErrors: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.fetches = new Counter({ name: 'partner_token_fetches_total', help: 'Requests sent to the OAuth token endpoint', registers });
    this.failures = new Counter({
      name: 'partner_token_fetch_failures_total',
      help: 'Failed token requests and waits, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.hits = new Counter({
      name: 'partner_token_cache_hits_total',
      help: 'Tokens served from a cache layer (memory, redis)',
      labelNames: ['layer'],
      registers,
    });
    this.waits = new Counter({
      name: 'partner_token_lock_waits_total',
      help: 'Token requests that waited for another instance holding the fetch lock',
      registers,
    });
    this.redisErrors = new Counter({
      name: 'partner_token_redis_errors_total',
      help: 'Redis failures in the token cache; the instance fetched for itself',
      registers,
    });
  }

  fetched(): void {
    this.fetches.inc();
  }

  fetchFailed(reason: string): void {
    this.failures.inc({ reason });
  }

  cacheHit(layer: 'memory' | 'redis'): void {
    this.hits.inc({ layer });
  }

  lockWaited(): void {
    this.waits.inc();
  }

  sharedCacheFailed(): void {
    this.redisErrors.inc();
  }
}
