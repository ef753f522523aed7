import type { Registry } from 'prom-client';
import { CircuitBreaker } from '../adapters/partner/circuit-breaker.js';
import { HttpExternalCatalog } from '../adapters/partner/http-external-catalog.js';
import { PartnerCallPolicy } from '../adapters/partner/partner-call-policy.js';
import { PartnerMetrics } from '../adapters/partner/partner-metrics.js';
import { RetryBudget } from '../adapters/partner/retry-budget.js';
import { UnconfiguredExternalCatalog } from '../adapters/partner/unconfigured-external-catalog.js';
import type { ExternalCatalog } from '../domain/ports/external-catalog.js';
import type { TokenProvider } from '../domain/ports/token-provider.js';
import type { Config } from './load-config.js';

const RETRY_BUDGET_WINDOW_MS = 10_000;
const MAX_CACHED_PRODUCTS = 10_000;

export interface ExternalCatalogDeps {
  readonly tokens: TokenProvider;
  /** The app's Prometheus registry; partner metrics are not exported without one. */
  readonly registry?: Registry;
}

/** API A over HTTP with its breaker, retry budget and call policy; unconfigured without PARTNER_API_URL. */
export function createExternalCatalog(config: Config, { tokens, registry }: ExternalCatalogDeps): ExternalCatalog {
  if (!config.PARTNER_API_URL) return new UnconfiguredExternalCatalog();
  const metrics = new PartnerMetrics(registry);
  const breaker = new CircuitBreaker(
    {
      failureRatio: config.PARTNER_BREAKER_FAILURE_PERCENT / 100,
      window: config.PARTNER_BREAKER_WINDOW,
      minimumCalls: config.PARTNER_BREAKER_MIN_CALLS,
      openMs: config.PARTNER_BREAKER_OPEN_MS,
    },
    Date.now,
    (to) => metrics.circuitChanged(to),
  );
  const budget = new RetryBudget({
    ratio: config.PARTNER_RETRY_BUDGET_PERCENT / 100,
    floor: config.PARTNER_RETRY_BUDGET_FLOOR,
    windowMs: RETRY_BUDGET_WINDOW_MS,
  });
  const policy = new PartnerCallPolicy(
    {
      attemptTimeoutMs: config.PARTNER_ATTEMPT_TIMEOUT_MS,
      deadlineMs: config.PARTNER_DEADLINE_MS,
      retries: config.PARTNER_RETRIES,
      backoffBaseMs: config.PARTNER_BACKOFF_BASE_MS,
      backoffCapMs: config.PARTNER_BACKOFF_MAX_MS,
    },
    breaker,
    budget,
    metrics,
    tokens,
  );
  return new HttpExternalCatalog(
    { baseUrl: config.PARTNER_API_URL, cacheMs: config.PARTNER_CACHE_SECONDS * 1000, maxCachedProducts: MAX_CACHED_PRODUCTS },
    policy,
    metrics,
  );
}
