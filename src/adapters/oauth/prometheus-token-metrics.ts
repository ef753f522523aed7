import type { Counter, Registry } from 'prom-client';
import { instruments } from '../shared/instruments.js';
import type { TokenMetrics } from './token-metrics.js';

/** TokenMetrics as Prometheus counters on the app's registry (reused when already registered there). */
export class PrometheusTokenMetrics implements TokenMetrics {
  private readonly fetches: Counter;
  private readonly failures: Counter<'reason'>;
  private readonly hits: Counter<'layer'>;
  private readonly waits: Counter;
  private readonly redisErrors: Counter;

  constructor(registry: Registry) {
    this.fetches = instruments.counter(registry, {
      name: 'partner_token_fetches_total',
      help: 'Requests sent to the OAuth token endpoint',
    });
    this.failures = instruments.counter(registry, {
      name: 'partner_token_fetch_failures_total',
      help: 'Failed token requests and waits, by reason',
      labelNames: ['reason'],
    });
    this.hits = instruments.counter(registry, {
      name: 'partner_token_cache_hits_total',
      help: 'Tokens served from a cache layer (memory, redis)',
      labelNames: ['layer'],
    });
    this.waits = instruments.counter(registry, {
      name: 'partner_token_lock_waits_total',
      help: 'Token requests that waited for another instance holding the fetch lock',
    });
    this.redisErrors = instruments.counter(registry, {
      name: 'partner_token_redis_errors_total',
      help: 'Redis failures in the token cache; the instance fetched for itself',
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
