import { expect } from 'chai';
import { CATALOG_SYNC_CHECKPOINT, SyncCatalog, type SyncProgress } from '../../src/application/sync-catalog.js';
import { InMemoryCatalogCache } from '../../src/adapters/in-memory/in-memory-catalog-cache.js';
import { InMemoryExternalCatalog } from '../../src/adapters/in-memory/in-memory-external-catalog.js';
import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import { InMemorySyncCheckpoints } from '../../src/adapters/in-memory/in-memory-sync-checkpoints.js';
import { PartnerUnavailableError } from '../../src/domain/errors/partner-unavailable-error.js';
import type { ExternalCatalog, PartnerProduct } from '../../src/domain/ports/external-catalog.js';

const partnerProducts = (count: number): PartnerProduct[] =>
  Array.from({ length: count }, (_, i) => ({
    sku: `FL-VEG-${String(i + 1).padStart(7, '0')}`,
    name: `Farm Fresh Okra ${i + 1}`,
    description: 'Harvested this morning in Nashik.',
    category: 'vegetables',
    pricePaise: 2_000 + i * 50,
    stock: i % 40,
    version: 1,
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    updatedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
  }));

/** Counts page requests and fails the `failOnPage`-th one, as a partner outage mid-run would. */
class FlakyCatalog implements ExternalCatalog {
  pagesRequested = 0;
  failOnPage: number | null = null;

  constructor(readonly inner: InMemoryExternalCatalog) {}

  getProduct(sku: string) {
    return this.inner.getProduct(sku);
  }

  listProducts(cursor: string | null, limit: number) {
    this.pagesRequested += 1;
    if (this.pagesRequested === this.failOnPage) {
      return Promise.reject(new PartnerUnavailableError('retries-exhausted', { attempts: 7 }));
    }
    return this.inner.listProducts(cursor, limit);
  }
}

function harness(count = 95) {
  const catalog = new FlakyCatalog(new InMemoryExternalCatalog(partnerProducts(count)));
  const products = new InMemoryProductRepository();
  const cache = new InMemoryCatalogCache();
  let invalidations = 0;
  const invalidateAll = cache.invalidateAll.bind(cache);
  const invalidate = cache.invalidate.bind(cache);
  cache.invalidateAll = async () => {
    invalidations += 1;
    await invalidateAll();
  };
  cache.invalidate = async (tags) => {
    invalidations += 1;
    await invalidate(tags);
  };
  const checkpoints = new InMemorySyncCheckpoints();
  const sync = new SyncCatalog(catalog, products, cache, checkpoints, { now: () => Date.now() });
  const all = async () => (await products.list({ limit: 100, sort: 'name', order: 'asc', categories: [], words: [] })).items;
  return { sync, catalog, products, checkpoints, all, invalidations: () => invalidations };
}

describe('SyncCatalog', () => {
  it('execute, on an empty store, upserts every page as one batch and reports progress after each', async () => {
    const { sync, all, checkpoints, invalidations } = harness();
    const progress: SyncProgress[] = [];
    const summary = await sync.execute({ pageSize: 20, onProgress: (p) => progress.push(p) });
    expect(summary).to.deep.equal({ pages: 5, items: 95, changed: 95, total: 95, resumedAfterPages: 0 });
    expect(progress.map((p) => p.items)).to.deep.equal([20, 40, 60, 80, 95]);
    expect(await all()).to.have.length(95);
    expect(invalidations()).to.equal(5);
    expect(await checkpoints.load(CATALOG_SYNC_CHECKPOINT)).to.include({ completed: true, cursor: null, pages: 5, items: 95 });
  });

  it('execute, run a second time, changes nothing and leaves the listing cache alone', async () => {
    const { sync, all, invalidations } = harness();
    await sync.execute({ pageSize: 20 });
    const before = await all();
    const second = await sync.execute({ pageSize: 20 });
    expect(second.changed).to.equal(0);
    expect(second.resumedAfterPages, 'a finished run is not resumed').to.equal(0);
    expect(await all()).to.deep.equal(before);
    expect(invalidations()).to.equal(5);
  });

  it('execute, when the partner changed a product (higher version), writes exactly that one', async () => {
    const { sync, catalog, all } = harness();
    await sync.execute({ pageSize: 20 });
    const [first] = partnerProducts(1);
    catalog.inner.put({ ...first, pricePaise: 9_950, version: 2 });
    expect((await sync.execute({ pageSize: 20 })).changed).to.equal(1);
    expect((await all()).find((p) => p.sku === first.sku)).to.include({ pricePaise: 9_950, version: 2 });
  });

  it('execute, when the partner fails midway, keeps the committed pages, and the next run resumes after them', async () => {
    const { sync, catalog, all, invalidations } = harness();
    catalog.failOnPage = 3;
    await expect(sync.execute({ pageSize: 20 })).to.be.rejectedWith(PartnerUnavailableError);
    expect(await all()).to.have.length(40);

    catalog.pagesRequested = 0;
    catalog.failOnPage = null;
    const summary = await sync.execute({ pageSize: 20 });
    expect(summary).to.include({ resumedAfterPages: 2, pages: 5, items: 95, changed: 55 });
    expect(catalog.pagesRequested, 'pages 1 and 2 are not fetched again').to.equal(3);
    const skus = (await all()).map((p) => p.sku);
    expect(new Set(skus).size).to.equal(95);
    expect(invalidations(), 'once more on resuming, in case the crash came before an invalidation').to.equal(2 + 1 + 3);
  });
});
