import { expect } from 'chai';
import { PartnerProductNotFoundError } from '../../src/domain/errors/partner-product-not-found-error.js';
import { PartnerRejectedError } from '../../src/domain/errors/partner-rejected-error.js';
import { PartnerUnavailableError } from '../../src/domain/errors/partner-unavailable-error.js';
import { TokenUnavailableError } from '../../src/domain/errors/token-unavailable-error.js';
import type { ExternalCatalog } from '../../src/domain/ports/external-catalog.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { catalogRequests, httpCatalog, PATIENT_CALLS, setFaults, statsOf, TEST_BREAKER, TEST_BUDGET } from '../support/partner-fixtures.js';
import { inMemoryProvider } from '../support/token-fixtures.js';

const CATALOGUE = ['/v1/'];

async function allSkus(catalog: ExternalCatalog): Promise<string[]> {
  const skus: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await catalog.listProducts(cursor, 500);
    skus.push(...page.items.map((p) => p.sku));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return skus;
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function withConcurrency<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

async function settled<T>(work: () => Promise<T>) {
  try {
    return { ok: true as const, value: await work(), error: undefined };
  } catch (error) {
    return { ok: false as const, value: undefined, error };
  }
}

describe('HttpExternalCatalog against the mock partner', function () {
  this.timeout(30_000);
  let mock: RunningMockPartner;

  let sku: string;

  beforeEach(async () => {
    mock = await startMockPartner({ catalog: { size: 1_000 } });
    sku = (await httpCatalog(mock, { call: PATIENT_CALLS }).catalog.listProducts(null, 1)).items[0].sku;
    await fetch(`${mock.url}/__reset`, { method: 'POST' });
  });

  afterEach(() => mock.stop());

  it('getProduct, with 30% 5xx and 10% timeouts injected, answers at least 99% of 300 calls with bounded retries', async () => {
    // 1 s attempts: the mock shares this process, and a loaded machine must not turn scheduling
    // delays into timeouts the partner never caused. Timing itself is proven on a fake clock in
    // test/unit/partner-call-policy.test.ts; this test counts answers and requests.
    const { catalog, breaker } = httpCatalog(mock, { call: { attemptTimeoutMs: 1_000, deadlineMs: 3_500 } });
    const skus = (await allSkus(catalog)).slice(0, 300);
    expect(skus).to.have.length(300);
    const before = catalogRequests(await statsOf(mock));
    await setFaults(mock, { errorRate: 0.3, timeoutRate: 0.1, paths: CATALOGUE });

    const results = await withConcurrency(skus, 10, (each) => settled(() => catalog.getProduct(each)));

    const succeeded = results.filter((r) => r.ok);
    const failures = results.filter((r) => !r.ok).map((r) => (r.error as PartnerUnavailableError).reason);
    expect(succeeded.length, `failures: ${failures.join(', ')}`).to.be.at.least(297);
    expect(results.every((r, i) => !r.ok || r.value.product.sku === skus[i])).to.equal(true);
    expect(breaker.state, 'a partner failing 40% of attempts is retried, not cut off').to.equal('closed');
    const stats = await statsOf(mock);
    const requests = catalogRequests(stats) - before;
    expect(stats['faults.errors']).to.be.greaterThan(0);
    expect(stats['faults.timeouts']).to.be.greaterThan(0);
    expect(requests - 300, 'retries stay within the budget').to.be.at.most(TEST_BUDGET.floor + TEST_BUDGET.ratio * 300);
  });

  it('getProduct, when the partner is fully down, opens the breaker; then calls fail fast without reaching the partner', async () => {
    const { catalog, breaker, registry } = httpCatalog(mock);
    await setFaults(mock, { down: true, paths: CATALOGUE });
    let calls = 0;
    while (breaker.state !== 'open' && calls < 50) {
      calls += 1;
      await expect(catalog.getProduct(sku)).to.be.rejectedWith(PartnerUnavailableError);
    }
    expect(breaker.state).to.equal('open');
    expect(calls).to.equal(TEST_BREAKER.minimumCalls);

    const seen = catalogRequests(await statsOf(mock));
    const fastFails = [];
    for (let i = 0; i < 100; i += 1) fastFails.push(await settled(() => catalog.getProduct(sku)));
    expect(fastFails.every((r) => !r.ok && (r.error as PartnerUnavailableError).reason === 'circuit-open')).to.equal(true);
    expect(fastFails.every((r) => (r.error as PartnerUnavailableError).attempts === 0)).to.equal(true);
    expect(catalogRequests(await statsOf(mock)), 'the partner saw no request while the circuit was open').to.equal(seen);
    expect(await registry.metrics()).to.match(/partner_circuit_state\{state="open"\} 1/);
  });

  it('getProduct, when the partner comes back, lets one half-open trial through, which closes the breaker', async () => {
    const { catalog, breaker, registry } = httpCatalog(mock, { breaker: { openMs: 300 } });
    const skus = (await catalog.listProducts(null, 10)).items.map((p) => p.sku);
    await setFaults(mock, { down: true, paths: CATALOGUE });
    for (let i = 0; i < TEST_BREAKER.minimumCalls; i += 1) await catalog.getProduct(sku).catch(() => undefined);
    expect(breaker.state).to.equal('open');
    await setFaults(mock, { down: false });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const before = (await statsOf(mock))['catalog.product'] ?? 0;
    // Ten different SKUs: concurrent lookups of one SKU would share the trial's answer.
    const racing = await Promise.all(skus.map((each) => settled(() => catalog.getProduct(each))));
    expect(racing.filter((r) => r.ok)).to.have.length(1);
    expect(racing.filter((r) => !r.ok).every((r) => (r.error as PartnerUnavailableError).reason === 'circuit-open')).to.equal(true);
    expect((await statsOf(mock))['catalog.product'] - before, 'only the trial reached the partner').to.equal(1);
    expect(breaker.state).to.equal('closed');
    expect((await catalog.getProduct(sku)).product.sku).to.equal(sku);
    expect(await registry.metrics()).to.match(/partner_circuit_transitions_total\{to="closed"\} 1/);
  });

  it('getProduct and listProducts, when the partner answers 404 or 400, do not retry', async () => {
    const { catalog } = httpCatalog(mock);
    await expect(catalog.getProduct('FL-NONE-0000404')).to.be.rejectedWith(PartnerProductNotFoundError);
    const refused = await catalog.listProducts('bm90LWEtY3Vyc29y', 10).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(PartnerRejectedError);
    expect((refused as PartnerRejectedError).partnerStatus).to.equal(400);
    const stats = await statsOf(mock);
    expect(stats['catalog.product']).to.equal(1);
    expect(stats['catalog.list']).to.equal(1);
  });

  it('getProduct, when the partner answers 429 with Retry-After: 1 that fits the deadline, asks once more and succeeds', async () => {
    const { catalog, registry } = httpCatalog(mock, { call: { deadlineMs: 2_500 } });
    await setFaults(mock, { rateLimitRate: 1, retryAfterSeconds: 1, remaining: 1, paths: CATALOGUE });
    const result = await settled(() => catalog.getProduct(sku));
    expect(result.ok, String(result.error)).to.equal(true);
    expect(await registry.metrics()).to.match(/partner_retries_total\{operation="getProduct",decision="retried"\} 1$/m);
    const stats = await statsOf(mock);
    expect(stats['faults.rateLimited']).to.equal(1);
    expect(stats['catalog.product']).to.equal(1);
  });

  it('getProduct, when the Retry-After does not fit in the deadline, fails at once as rate-limited, passing the wait on', async () => {
    const { catalog } = httpCatalog(mock);
    await setFaults(mock, { rateLimitRate: 1, retryAfterSeconds: 30, paths: CATALOGUE });
    const result = await settled(() => catalog.getProduct(sku));
    expect((result.error as PartnerUnavailableError).reason).to.equal('rate-limited');
    expect((result.error as PartnerUnavailableError).retryAfterMs).to.equal(30_000);
    expect((result.error as PartnerUnavailableError).attempts).to.equal(1);
    expect((await statsOf(mock))['faults.rateLimited']).to.equal(1);
  });

  it('getProduct, when the partner is slower than the deadline, gives up at the deadline', async () => {
    const { catalog } = httpCatalog(mock, { call: { attemptTimeoutMs: 150, deadlineMs: 400 } });
    await catalog.getProduct(sku);
    await setFaults(mock, { latencyMs: 10_000, paths: CATALOGUE });
    const result = await settled(() => catalog.getProduct(sku));
    expect((result.error as PartnerUnavailableError).reason).to.equal('deadline-exceeded');
    expect((result.error as PartnerUnavailableError).attempts).to.be.within(1, 3);
  });

  it('getProduct, when 20 callers ask for one SKU at once, sends one request and reuses the answer while fresh', async () => {
    // Patient attempts: a 30 ms answer must not time out on a loaded machine and be sent twice.
    const { catalog, registry } = httpCatalog(mock, { cacheMs: 5_000, call: PATIENT_CALLS });
    await setFaults(mock, { latencyMs: 30, paths: CATALOGUE });
    const answers = await Promise.all(Array.from({ length: 20 }, () => catalog.getProduct(sku)));
    await catalog.getProduct(sku);
    expect(new Set(answers.map((a) => a.asOf.getTime())).size).to.equal(1);
    expect((await statsOf(mock))['catalog.product']).to.equal(1);
    const metrics = await registry.metrics();
    expect(metrics).to.match(/partner_product_lookups_total\{result="shared"\} 19/);
    expect(metrics).to.match(/partner_product_lookups_total\{result="hit"\} 1/);
  });

  it('getProduct, when the partner rejects the token as invalid_token, evicts it and succeeds with a fresh one', async () => {
    const { catalog } = httpCatalog(mock);
    await catalog.getProduct(sku);
    await fetch(`${mock.url}/__oauth/revoke`, { method: 'POST' });
    expect((await catalog.getProduct(sku)).product.sku).to.equal(sku);
    const stats = await statsOf(mock);
    expect(stats['auth.invalidToken']).to.equal(1);
    expect(stats['oauth.tokenRequests']).to.equal(2);
  });

  for (const [how, faults] of [
    ['down', { down: true }],
    ['slower than the call deadline', { latencyMs: 10_000 }],
  ] as const) {
    it(`getProduct, when the token endpoint is ${how} and the partner healthy, fails as a token failure, keeps the breaker closed, then reaches the partner once tokens flow`, async () => {
      const tokens = inMemoryProvider(mock.url, { endpoint: { retries: 0, requestTimeoutMs: 1_000 } });
      const { catalog, breaker } = httpCatalog(mock, { tokens, call: { deadlineMs: 300 } });
      await setFaults(mock, { ...faults, paths: ['/oauth/token'] });
      for (let i = 0; i < TEST_BREAKER.minimumCalls + 2; i += 1) {
        await expect(catalog.getProduct(sku)).to.be.rejectedWith(TokenUnavailableError);
      }
      expect(breaker.state, 'token trouble is not the partner failing').to.equal('closed');
      expect((await statsOf(mock))['catalog.product'] ?? 0, 'no request reached the partner without a token').to.equal(0);
      await fetch(`${mock.url}/__reset`, { method: 'POST' });
      await tokens.whenIdle();
      expect((await catalog.getProduct(sku)).product.sku).to.equal(sku);
      expect((await statsOf(mock))['catalog.product']).to.equal(1);
    });
  }
});
