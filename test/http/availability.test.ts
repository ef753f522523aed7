import { expect } from 'chai';
import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import { generateProduct, seededRandom } from '../../src/infrastructure/seed/catalog-generator.js';
import { DEV_CLIENT } from '../../tools/mock-partner/dev-credentials.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { catalogRequests, setFaults, statsOf } from '../support/partner-fixtures.js';
import { jsonOf, problemOf, startTestService, type TestService } from '../support/test-service.js';

const DEADLINE_MS = 400;
const OPEN_MS = 300;

/** Products 1..3 carry the mock partner's first SKUs (same generator and seed); product 4 the partner does not offer. */
function localCatalogue() {
  const random = seededRandom(42);
  const partnerSkus = Array.from({ length: 3 }, (_, i) => generateProduct(i + 1, random, Date.UTC(2026, 0, 1)));
  return [...partnerSkus, { ...partnerSkus[0], sku: 'FL-NOT-OFFERED' }];
}

describe('GET /api/products/:id/availability', function () {
  this.timeout(20_000);
  let mock: RunningMockPartner;
  let service: TestService;
  const get = (id: number | string) => fetch(`${service.url}/api/products/${id}/availability`);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeEach(async () => {
    mock = await startMockPartner({ catalog: { size: 50 } });
    const products = new InMemoryProductRepository();
    await products.upsert(localCatalogue());
    service = await startTestService(
      { ProductRepository: products },
      {
        PARTNER_API_URL: mock.url,
        OAUTH_TOKEN_URL: `${mock.url}/oauth/token`,
        OAUTH_CLIENT_ID: DEV_CLIENT.id,
        OAUTH_CLIENT_SECRET: DEV_CLIENT.secret,
        PARTNER_ATTEMPT_TIMEOUT_MS: '150',
        PARTNER_DEADLINE_MS: String(DEADLINE_MS),
        PARTNER_RETRIES: '2',
        PARTNER_BACKOFF_BASE_MS: '5',
        PARTNER_BACKOFF_MAX_MS: '20',
        PARTNER_BREAKER_WINDOW: '4',
        PARTNER_BREAKER_MIN_CALLS: '4',
        PARTNER_BREAKER_OPEN_MS: String(OPEN_MS),
        PARTNER_CACHE_SECONDS: '0',
      },
    );
  });

  afterEach(async () => {
    await service.close();
    await mock.stop();
  });

  it('GET availability, when the partner answers, returns its live price and stock, not stale', async () => {
    const before = Date.now();
    const response = await get(1);
    expect(response.status).to.equal(200);
    expect(response.headers.get('cache-control')).to.equal('no-store');
    const body = await jsonOf(response);
    const [partner] = localCatalogue();
    expect(body).to.include({
      productId: 1,
      sku: partner.sku,
      currency: 'INR',
      stock: partner.stock,
      inStock: partner.stock > 0,
      stale: false,
    });
    expect(body.price).to.match(/^\d+\.\d{2}$/);
    expect(Date.parse(body.asOf)).to.be.within(before - 1, Date.now());
  });

  it('GET availability, when the partner changes a price, shows the new price at once', async () => {
    await get(2);
    const sku = localCatalogue()[1].sku;
    await fetch(`${mock.url}/__catalog/products/${sku}`, { method: 'POST', body: JSON.stringify({ price: '77.25', stock: 0 }) });
    const body = await jsonOf(await get(2));
    expect(body).to.include({ price: '77.25', stock: 0, inStock: false, stale: false });
  });

  it('GET availability, when the partner fails after an earlier answer, returns that answer marked stale with its asOf', async () => {
    const live = await jsonOf(await get(1));
    await setFaults(mock, { down: true, paths: ['/v1/'] });
    const response = await get(1);
    expect(response.status).to.equal(200);
    expect(await jsonOf(response)).to.deep.equal({ ...live, stale: true });
  });

  it('GET availability, when the partner fails and nothing is known, answers 503 problem+json with Retry-After', async () => {
    await setFaults(mock, { errorRate: 1, paths: ['/v1/'] });
    const response = await get(3);
    const problem = await problemOf(response, 503);
    expect(problem.code).to.equal('DEPENDENCY_UNAVAILABLE');
    expect(Number(response.headers.get('retry-after'))).to.be.at.least(1);
  });

  it('GET availability, when the partner stays down, opens the breaker and then degrades without calling the partner', async () => {
    await get(1);
    await setFaults(mock, { down: true, paths: ['/v1/'] });
    for (let i = 0; i < 4; i += 1) await get(2);
    const seen = catalogRequests(await statsOf(mock));
    const stale = await get(1);
    expect(stale.status).to.equal(200);
    expect((await jsonOf(stale)).stale).to.equal(true);
    const unknown = await get(2);
    await problemOf(unknown, 503);
    expect(Number(unknown.headers.get('retry-after')), 'the breaker reopens within a second').to.equal(1);
    expect(catalogRequests(await statsOf(mock)), 'no request reached the partner while the circuit was open').to.equal(seen);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).to.match(/availability_responses_total\{source="stale"\} [1-9]/);
  });

  it('GET availability, when the partner is slower than the deadline, still answers by the deadline', async () => {
    await get(1);
    await setFaults(mock, { latencyMs: 10_000, paths: ['/v1/'] });
    for (const id of [1, 2]) {
      const started = performance.now();
      const response = await get(id);
      const elapsed = performance.now() - started;
      expect(response.status).to.equal(id === 1 ? 200 : 503);
      expect(elapsed, `answered in ${Math.round(elapsed)} ms`).to.be.below(DEADLINE_MS + 300);
    }
  });

  it('GET availability, when the partner comes back, the half-open trial closes the breaker and answers are live again', async () => {
    await get(1);
    await setFaults(mock, { down: true, paths: ['/v1/'] });
    for (let i = 0; i < 4; i += 1) await get(1);
    expect((await jsonOf(await get(1))).stale).to.equal(true);
    await setFaults(mock, { down: false });
    await sleep(OPEN_MS);
    expect((await jsonOf(await get(1))).stale, 'the trial').to.equal(false);
    expect((await jsonOf(await get(2))).stale, 'closed again').to.equal(false);
  });

  it('GET availability, for an id with no product, answers 404; for a malformed id, 400; for a product the partner does not offer, 404', async () => {
    await problemOf(await get(999), 404);
    const invalid = await problemOf(await get('abc'), 400);
    expect(invalid.errors?.[0]?.field).to.equal('id');
    const notOffered = await problemOf(await get(4), 404);
    expect(notOffered.code).to.equal('PARTNER_PRODUCT_NOT_FOUND');
    await problemOf(await fetch(`${service.url}/api/products/1/availability?fresh=1`), 400);
  });
});
