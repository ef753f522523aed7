import { collectDefaultMetrics, type Counter, type Histogram, type Registry } from 'prom-client';
import { instruments } from '../shared/instruments.js';

/** The service's Prometheus instruments, registered on the registry the app exposes. */
export class HttpMetrics {
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly cacheResults: Counter<'route' | 'result'>;
  readonly rateLimitDecisions: Counter<'budget' | 'decision'>;
  readonly requestsShed: Counter<'route' | 'reason'>;

  constructor(
    readonly registry: Registry,
    options: { defaultMetrics?: boolean } = {},
  ) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
    this.requestDuration = instruments.histogram(registry, {
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
    this.cacheResults = instruments.counter(registry, {
      name: 'catalog_cache_results_total',
      help: 'Catalogue responses by cache result (HIT, MISS, STALE)',
      labelNames: ['route', 'result'],
    });
    this.rateLimitDecisions = instruments.counter(registry, {
      name: 'http_rate_limit_decisions_total',
      help: 'Rate-limit decisions by budget (public, webhook) and decision (allowed, limited, failed_open)',
      labelNames: ['budget', 'decision'],
    });
    this.requestsShed = instruments.counter(registry, {
      name: 'http_requests_shed_total',
      help: 'Requests answered 503 overloaded because they could not start in time, by route template and the bulkhead that was full',
      labelNames: ['route', 'reason'],
    });
  }
}
