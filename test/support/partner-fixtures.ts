import { Registry } from 'prom-client';
import { CircuitBreaker, type CircuitBreakerSettings } from '../../src/adapters/partner/circuit-breaker.js';
import { HttpExternalCatalog } from '../../src/adapters/partner/http-external-catalog.js';
import { PartnerCallPolicy, type PartnerCallSettings } from '../../src/adapters/partner/partner-call-policy.js';
import { PartnerMetrics } from '../../src/adapters/partner/partner-metrics.js';
import { RetryBudget, type RetryBudgetSettings } from '../../src/adapters/partner/retry-budget.js';
import type { PartnerProduct } from '../../src/domain/ports/external-catalog.js';
import type { TokenProvider } from '../../src/domain/ports/token-provider.js';
import type { MockFaults } from '../../tools/mock-partner/mock-faults.js';
import type { RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { inMemoryProvider } from './token-fixtures.js';

/** Test-sized timings: short attempts and deadline so fault tests finish in seconds. */
export const FAST_CALLS: PartnerCallSettings = { attemptTimeoutMs: 50, deadlineMs: 1_500, retries: 6, backoffBaseMs: 5, backoffCapMs: 50 };
/** Generous timings, for suites that check behaviour rather than resilience. */
export const PATIENT_CALLS: PartnerCallSettings = {
  attemptTimeoutMs: 2_000,
  deadlineMs: 5_000,
  retries: 2,
  backoffBaseMs: 10,
  backoffCapMs: 50,
};
export const TEST_BREAKER: CircuitBreakerSettings = { failureRatio: 0.5, window: 20, minimumCalls: 10, openMs: 500 };
export const TEST_BUDGET: RetryBudgetSettings = { ratio: 0.8, floor: 10, windowMs: 10_000 };

export interface PartnerFixtureOptions {
  readonly call?: Partial<PartnerCallSettings>;
  readonly breaker?: Partial<CircuitBreakerSettings>;
  readonly budget?: Partial<RetryBudgetSettings>;
  readonly cacheMs?: number;
  readonly tokens?: TokenProvider;
}

export interface PartnerFixture {
  readonly catalog: HttpExternalCatalog;
  readonly breaker: CircuitBreaker;
  readonly registry: Registry;
}

/** HttpExternalCatalog against the mock partner, wired as the container wires it, with test settings. */
export function httpCatalog(mock: RunningMockPartner, options: PartnerFixtureOptions = {}): PartnerFixture {
  const registry = new Registry();
  const metrics = new PartnerMetrics(registry);
  const breaker = new CircuitBreaker({ ...TEST_BREAKER, ...options.breaker }, Date.now, (to) => metrics.circuitChanged(to));
  const budget = new RetryBudget({ ...TEST_BUDGET, ...options.budget });
  const tokens = options.tokens ?? inMemoryProvider(mock.url);
  const policy = new PartnerCallPolicy({ ...FAST_CALLS, ...options.call }, breaker, budget, metrics, tokens);
  const catalog = new HttpExternalCatalog({ baseUrl: mock.url, cacheMs: options.cacheMs ?? 0, maxCachedProducts: 10_000 }, policy, metrics);
  return { catalog, breaker, registry };
}

/** Sets the mock's faults over HTTP, as an operator would (POST /__faults merges). */
export async function setFaults(mock: RunningMockPartner, faults: Partial<MockFaults>): Promise<void> {
  const response = await fetch(`${mock.url}/__faults`, { method: 'POST', body: JSON.stringify(faults) });
  if (!response.ok) throw new Error(`POST /__faults answered ${response.status}: ${await response.text()}`);
}

/** GET /__stats: request counters of the mock. */
export async function statsOf(mock: RunningMockPartner): Promise<Record<string, number>> {
  return (await (await fetch(`${mock.url}/__stats`)).json()) as Record<string, number>;
}

/** Requests that reached the mock's catalogue routes or were answered by an injected fault (faults scoped to /v1/). */
export function catalogRequests(stats: Record<string, number>): number {
  const keys = ['catalog.list', 'catalog.product', 'faults.errors', 'faults.timeouts', 'faults.rateLimited', 'faults.dropped'];
  return keys.reduce((sum, key) => sum + (stats[key] ?? 0), 0);
}

/** Simple partner products for in-memory catalogues. */
export function partnerProducts(count: number, skuPrefix = 'FL-VEG'): PartnerProduct[] {
  return Array.from({ length: count }, (_, i) => ({
    sku: `${skuPrefix}-${String(i + 1).padStart(7, '0')}`,
    name: `Farm Fresh Okra ${i + 1}`,
    description: 'Harvested this morning in Nashik.',
    category: 'vegetables',
    pricePaise: 2_000 + i * 50,
    stock: i % 40,
    version: 1,
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    updatedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
  }));
}
