import { expect } from 'chai';
import { GetAvailability } from '../../src/application/get-availability.js';
import { InMemoryExternalCatalog } from '../../src/adapters/in-memory/in-memory-external-catalog.js';
import { InMemoryLastKnownAvailability } from '../../src/adapters/in-memory/in-memory-last-known-availability.js';
import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import { DependencyUnavailableError } from '../../src/domain/errors/dependency-unavailable-error.js';
import { PartnerProductNotFoundError } from '../../src/domain/errors/partner-product-not-found-error.js';
import { PartnerUnavailableError } from '../../src/domain/errors/partner-unavailable-error.js';
import { ProductNotFoundError } from '../../src/domain/errors/product-not-found-error.js';
import { TokenRequestRejectedError } from '../../src/domain/errors/token-request-rejected-error.js';
import { TokenUnavailableError } from '../../src/domain/errors/token-unavailable-error.js';
import type { ExternalCatalog, PartnerProduct } from '../../src/domain/ports/external-catalog.js';
import type { LastKnownAvailability } from '../../src/domain/ports/last-known-availability.js';
import type { Logger } from '../../src/domain/ports/logger.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const DAY = 86_400_000;

const partnerProduct = (sku: string, pricePaise: number, stock: number): PartnerProduct => ({
  sku,
  name: 'Desi Cow Ghee 500 g',
  description: 'From the Anand cooperative.',
  category: 'dairy',
  pricePaise,
  stock,
  version: 1,
  createdAt: new Date(Date.UTC(2026, 0, 1)),
  updatedAt: new Date(Date.UTC(2026, 0, 1)),
});

/** The partner catalogue, switchable to "down" (every call fails as the breaker would make it). */
class SwitchableCatalog implements ExternalCatalog {
  down = false;
  /** When set, the partner's authorisation server refuses our token request instead. */
  refusing = false;
  /** When set, the token endpoint is unreachable. */
  tokenDown = false;
  calls = 0;

  constructor(readonly inner: InMemoryExternalCatalog) {}

  getProduct(sku: string) {
    this.calls += 1;
    if (this.refusing) return Promise.reject(new TokenRequestRejectedError('invalid_client', undefined, { retryAfterMs: 7_300 }));
    if (this.tokenDown) return Promise.reject(new TokenUnavailableError('the token endpoint failed 4 times'));
    if (this.down) return Promise.reject(new PartnerUnavailableError('circuit-open', { attempts: 0, retryAfterMs: 4_200 }));
    return this.inner.getProduct(sku);
  }

  listProducts(cursor: string | null, limit: number) {
    return this.inner.listProducts(cursor, limit);
  }
}

async function harness(lastKnown?: LastKnownAvailability) {
  let now = Date.UTC(2026, 5, 1, 12);
  const clock = () => now;
  const products = new InMemoryProductRepository(clock);
  await products.upsert([
    partnerProduct('FL-DAI-0000001', 45_000, 12),
    partnerProduct('FL-DAI-0000002', 9_900, 0),
    partnerProduct('FL-GONE', 100, 1),
  ]);
  const catalog = new SwitchableCatalog(
    new InMemoryExternalCatalog([partnerProduct('FL-DAI-0000001', 46_050, 7), partnerProduct('FL-DAI-0000002', 9_900, 0)], clock),
  );
  const memory = lastKnown ?? new InMemoryLastKnownAvailability(DAY, clock);
  const useCase = new GetAvailability(products, catalog, memory, silent);
  return { useCase, catalog, advance: (ms: number) => (now += ms), now: clock };
}

describe('GetAvailability', () => {
  it('execute, when the partner answers, returns its live price and stock, not stale', async () => {
    const { useCase, now } = await harness();
    const availability = await useCase.execute(1);
    expect(availability).to.deep.equal({
      productId: 1,
      sku: 'FL-DAI-0000001',
      pricePaise: 46_050,
      stock: 7,
      asOf: new Date(now()),
      stale: false,
    });
  });

  it('execute, when the partner fails after an earlier answer, returns that answer marked stale with its asOf', async () => {
    const { useCase, catalog, advance } = await harness();
    const live = await useCase.execute(1);
    advance(60_000);
    catalog.down = true;
    const stale = await useCase.execute(1);
    expect(stale).to.deep.equal({ ...live, stale: true });
  });

  it('execute, when the partner fails and nothing is known, throws DependencyUnavailableError with the wait the partner asked for', async () => {
    const { useCase, catalog } = await harness();
    catalog.down = true;
    const error = await useCase.execute(2).then(
      () => expect.fail('expected a failure'),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).retryAfterSeconds).to.equal(5);
    expect((error as DependencyUnavailableError).dependency).to.equal('partner catalogue');
    expect((error as Error).cause).to.be.instanceOf(PartnerUnavailableError);
  });

  it('execute, when the last answer is past retention, treats it as unknown', async () => {
    const { useCase, catalog, advance } = await harness();
    await useCase.execute(1);
    advance(DAY);
    catalog.down = true;
    await expect(useCase.execute(1)).to.be.rejectedWith(DependencyUnavailableError);
  });

  it('execute, when no product has the id, throws ProductNotFoundError without calling the partner', async () => {
    const { useCase, catalog } = await harness();
    await expect(useCase.execute(99)).to.be.rejectedWith(ProductNotFoundError);
    expect(catalog.calls).to.equal(0);
  });

  it('execute, when the partner does not offer the sku, throws PartnerProductNotFoundError', async () => {
    const { useCase } = await harness();
    await expect(useCase.execute(3)).to.be.rejectedWith(PartnerProductNotFoundError);
  });

  it('execute, when the last-known store fails, still answers live, and degrades to 503 rather than 500', async () => {
    const broken: LastKnownAvailability = {
      remember: () => Promise.reject(new Error('ECONNREFUSED')),
      recall: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const { useCase, catalog } = await harness(broken);
    expect((await useCase.execute(1)).stale).to.equal(false);
    catalog.down = true;
    await expect(useCase.execute(1)).to.be.rejectedWith(DependencyUnavailableError);
  });

  it('execute, when the partner refuses our credentials, serves the last known answer, else 503 (never a 502 or 500)', async () => {
    const { useCase, catalog } = await harness();
    await useCase.execute(1);
    catalog.refusing = true;
    expect((await useCase.execute(1)).stale).to.equal(true);
    const error = await useCase.execute(2).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DependencyUnavailableError);
    expect((error as Error).cause).to.be.instanceOf(TokenRequestRejectedError);
  });

  it('execute, when the token request is refused and nothing is known, names the token endpoint with the refusal cooldown as the wait', async () => {
    const { useCase, catalog } = await harness();
    catalog.refusing = true;
    const error = (await useCase.execute(2).catch((e: unknown) => e)) as DependencyUnavailableError;
    expect(error).to.be.instanceOf(DependencyUnavailableError);
    expect(error.dependency).to.match(/token endpoint/);
    expect(error.retryAfterSeconds).to.equal(8);
  });

  it('execute, when the token endpoint is unreachable and nothing is known, names the token endpoint, not the partner', async () => {
    const { useCase, catalog } = await harness();
    catalog.tokenDown = true;
    const error = (await useCase.execute(2).catch((e: unknown) => e)) as DependencyUnavailableError;
    expect(error.dependency).to.match(/token endpoint/);
    expect(error.retryAfterSeconds).to.equal(1);
  });
});
