import { expect } from 'chai';
import { createClient } from 'redis';
import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import { RedisCatalogCache } from '../../src/adapters/redis/redis-catalog-cache.js';
import type { ProductRepository } from '../../src/domain/ports/product-repository.js';
import type { WirePartnerEvent } from '../../tools/mock-partner/partner-event-wire.js';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { tiedProducts } from '../support/product-fixtures.js';
import { createTestRedis, type TestRedis } from '../support/services.js';
import { jsonOf, startTestService, type TestService } from '../support/test-service.js';
import { describeWith } from '../support/backends.js';

/** Counts list() calls and lets a test make the database "go down". */
class ObservedRepository implements ProductRepository {
  lists = 0;
  down = false;

  constructor(private readonly inner: ProductRepository) {}

  async list(query: Parameters<ProductRepository['list']>[0]) {
    this.lists += 1;
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (this.down) throw new Error('database down');
    return this.inner.list(query);
  }

  findById(id: number) {
    return this.down ? Promise.reject(new Error('database down')) : this.inner.findById(id);
  }

  upsert(drafts: Parameters<ProductRepository['upsert']>[0]) {
    return this.inner.upsert(drafts);
  }
}

describeWith(['redis'], 'Catalogue caching on Redis, across instances', () => {
  let redis: TestRedis;
  let repository: ObservedRepository;
  let instances: TestService[];

  beforeEach(async () => {
    redis = await createTestRedis('catalog-http');
    const products = new InMemoryProductRepository();
    await products.upsert(tiedProducts(40));
    repository = new ObservedRepository(products);
    instances = await Promise.all(
      [1, 2].map(() =>
        startTestService({ ProductRepository: repository, CatalogCache: new RedisCatalogCache(redis.client, redis.prefix) }),
      ),
    );
  });

  afterEach(async () => {
    await Promise.all(instances.map((i) => i.close()));
    await redis.cleanup();
  });

  it('GET /api/products, when 200 identical requests hit two cold instances at once, costs one query per instance at most', async () => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => fetch(`${instances[i % 2].url}/api/products?limit=5&sort=price`)),
    );
    expect(responses.every((r) => r.status === 200)).to.equal(true);
    expect(repository.lists).to.be.within(1, 2);
    const bodies = new Set(await Promise.all(responses.map((r) => r.text())));
    expect(bodies.size).to.equal(1);
  });

  it('GET /api/products, when the catalogue is invalidated, stops serving what was cached before', async () => {
    const url = `${instances[0].url}/api/products?limit=5&sort=price`;
    await fetch(url);
    expect((await fetch(url)).headers.get('x-cache')).to.equal('HIT');
    await new RedisCatalogCache(redis.client, redis.prefix).invalidateAll();
    expect((await fetch(`${instances[1].url}/api/products?limit=5&sort=price`)).headers.get('x-cache')).to.equal('MISS');
  });

  it('GET /api/products, when the database goes down, keeps serving cached pages', async () => {
    const url = `${instances[0].url}/api/products?limit=5&category=fruit`;
    const warm = await (await fetch(url)).text();
    repository.down = true;
    const fromOther = await fetch(`${instances[1].url}/api/products?limit=5&category=fruit`);
    expect(fromOther.status).to.equal(200);
    expect(await fromOther.text()).to.equal(warm);
  });
});

describeWith(['sqlite'], 'Catalogue caching with Redis unreachable', () => {
  let client: RedisClient;
  let service: TestService;

  before(async () => {
    client = createClient({ url: 'redis://127.0.0.1:1', disableOfflineQueue: true, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect().catch(() => undefined);
    const products = new InMemoryProductRepository();
    await products.upsert(tiedProducts(10));
    service = await startTestService({ ProductRepository: products, CatalogCache: new RedisCatalogCache(client, 'x:') });
  });

  after(() => service.close());

  it('GET /api/products, when Redis cannot be reached, answers from the database', async () => {
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(`${service.url}/api/products?limit=3`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('x-cache')).to.equal('MISS');
      expect((await jsonOf(response)).data).to.have.length(3);
    }
  });
});

describe('Catalogue caching under partner writes (tag invalidation end to end, no grace after writes)', () => {
  const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const upsert = (sku: string, category: string, price: string): WirePartnerEvent => ({
    id: `evt_${sku}_1`,
    type: 'product.upserted',
    occurredAt: new Date().toISOString(),
    data: { sku, version: 1, name: `Item ${sku}`, description: 'Fresh.', category, price, stock: 5 },
  });
  const change = (sku: string, version: number, type: string, data: Record<string, unknown>): WirePartnerEvent => ({
    id: `evt_${sku}_${version}`,
    type,
    occurredAt: new Date().toISOString(),
    data: { sku, version, ...data },
  });

  for (const backend of ['in-process', 'Redis'] as const) {
    describe(`with the ${backend} cache`, () => {
      let redis: TestRedis | undefined;
      let service: TestService;
      const deliver = async (event: WirePartnerEvent) => {
        const body = JSON.stringify(event);
        const response = await fetch(`${service.url}/api/webhooks/partner`, {
          method: 'POST',
          headers: webhookHeaders([SECRET], body),
          body,
        });
        expect(response.status).to.equal(200);
      };
      const read = async (path: string) => {
        const response = await fetch(`${service.url}${path}`);
        return { cache: response.headers.get('x-cache'), body: await jsonOf(response) };
      };
      const PAGES = {
        okraDetail: '', // filled in once the ids are known
        mangoDetail: '',
        vegetables: '/api/products?category=vegetables',
        fruitByPrice: '/api/products?category=fruit&sort=price',
        everything: '/api/products',
      };

      beforeEach(async () => {
        redis = backend === 'Redis' ? await createTestRedis('catalog-writes') : undefined;
        const overrides = redis ? { CatalogCache: new RedisCatalogCache(redis.client, redis.prefix, { graceMs: 0 }) } : {};
        // With no grace, the first read after a write rebuilds what the write invalidated (MISS).
        service = await startTestService(overrides, { WEBHOOK_SECRETS: SECRET, CACHE_WRITE_GRACE_MS: '0' });
        await deliver(upsert('OKRA-1', 'vegetables', '30.00'));
        await deliver(upsert('MANGO-1', 'fruit', '120.00'));
        const all = (await read('/api/products')).body.data as { id: number; sku: string }[];
        PAGES.okraDetail = `/api/products/${all.find((p) => p.sku === 'OKRA-1')!.id}`;
        PAGES.mangoDetail = `/api/products/${all.find((p) => p.sku === 'MANGO-1')!.id}`;
        for (const path of Object.values(PAGES)) await read(path);
      });

      afterEach(async () => {
        await service.close();
        await redis?.cleanup();
      });

      it('a stock change, shows the new stock on the detail page and the listing holding the product at the next read', async () => {
        await deliver(change('OKRA-1', 2, 'product.stock_changed', { stock: 42 }));
        expect((await read(PAGES.okraDetail)).body.stock).to.equal(42);
        expect((await read(PAGES.vegetables)).body.data[0].stock).to.equal(42);
      });

      it('a stock change, makes exactly the pages showing the product miss once', async () => {
        await deliver(change('OKRA-1', 2, 'product.stock_changed', { stock: 42 }));
        const statuses: Record<string, string | null> = {};
        for (const [name, path] of Object.entries(PAGES)) statuses[name] = (await read(path)).cache;
        expect(statuses).to.deep.equal({
          okraDetail: 'MISS',
          mangoDetail: 'HIT',
          vegetables: 'MISS',
          fruitByPrice: 'HIT',
          everything: 'MISS',
        });
      });

      it('a price change in another category, leaves these pages cached but the price-ordered page of its own', async () => {
        await deliver(change('MANGO-1', 2, 'product.price_changed', { price: '99.00' }));
        const statuses: Record<string, string | null> = {};
        for (const [name, path] of Object.entries(PAGES)) statuses[name] = (await read(path)).cache;
        expect(statuses).to.deep.equal({
          okraDetail: 'HIT',
          mangoDetail: 'MISS',
          vegetables: 'HIT',
          fruitByPrice: 'MISS',
          everything: 'MISS',
        });
        expect((await read(PAGES.fruitByPrice)).body.data[0].price).to.equal('99.00');
      });

      it('an upsert of a new product, reaches its category and the unfiltered listing only', async () => {
        await deliver(upsert('PEAS-1', 'vegetables', '50.00'));
        const statuses: Record<string, string | null> = {};
        for (const [name, path] of Object.entries(PAGES)) statuses[name] = (await read(path)).cache;
        expect(statuses).to.deep.equal({
          okraDetail: 'HIT',
          mangoDetail: 'HIT',
          vegetables: 'MISS',
          fruitByPrice: 'HIT',
          everything: 'MISS',
        });
        expect((await read(PAGES.vegetables)).body.data.map((p: { sku: string }) => p.sku)).to.include('PEAS-1');
      });

      it('a deletion, removes the product from its detail page and every listing that showed it', async () => {
        await deliver(change('MANGO-1', 2, 'product.deleted', {}));
        expect((await fetch(`${service.url}${PAGES.mangoDetail}`)).status).to.equal(404);
        expect((await read(PAGES.fruitByPrice)).body.data).to.deep.equal([]);
        expect((await read(PAGES.everything)).body.data.map((p: { sku: string }) => p.sku)).to.deep.equal(['OKRA-1']);
        expect((await read(PAGES.vegetables)).cache).to.equal('HIT');
        expect((await read(PAGES.okraDetail)).cache).to.equal('HIT');
      });
    });
  }
});

describe('Catalogue caching under partner writes, with a grace after writes', () => {
  const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const event = (version: number, type: string, data: Record<string, unknown>): WirePartnerEvent => ({
    id: `evt_OKRA-1_${version}`,
    type,
    occurredAt: new Date().toISOString(),
    data: { sku: 'OKRA-1', version, ...data },
  });

  for (const backend of ['in-process', 'Redis'] as const) {
    describe(`with the ${backend} cache`, () => {
      let redis: TestRedis | undefined;
      let service: TestService;
      let selects = 0;
      const deliver = async (wire: WirePartnerEvent) => {
        const body = JSON.stringify(wire);
        const headers = webhookHeaders([SECRET], body);
        expect((await fetch(`${service.url}/api/webhooks/partner`, { method: 'POST', headers, body })).status).to.equal(200);
      };
      const read = async (path: string) => {
        const response = await fetch(`${service.url}${path}`);
        return { cache: response.headers.get('x-cache'), body: await jsonOf(response) };
      };

      beforeEach(async () => {
        redis = backend === 'Redis' ? await createTestRedis('catalog-grace') : undefined;
        const overrides = redis ? { CatalogCache: new RedisCatalogCache(redis.client, redis.prefix, { graceMs: 60_000 }) } : {};
        service = await startTestService(overrides, { WEBHOOK_SECRETS: SECRET, CACHE_WRITE_GRACE_MS: '1000' });
        service.knex.on('query', ({ sql }: { sql: string }) => {
          if (/^select/i.test(sql)) selects += 1;
        });
        await deliver(
          event(1, 'product.upserted', { name: 'Okra', description: 'Fresh.', category: 'vegetables', price: '30.00', stock: 5 }),
        );
        await read('/api/products?category=vegetables');
      });

      afterEach(async () => {
        await service.close();
        await redis?.cleanup();
      });

      it('a stock change, answers readers of a page showing the product from the old page (STALE) while one rebuild runs, then the new stock', async () => {
        await deliver(event(2, 'product.stock_changed', { stock: 42 }));
        selects = 0;
        const during = await Promise.all(Array.from({ length: 5 }, () => read('/api/products?category=vegetables')));
        expect(during[0]).to.deep.include({ cache: 'STALE' });
        // Each one the old page while the rebuild runs, or the new one once it is stored.
        for (const r of during) expect(`${r.cache} ${r.body.data[0].stock}`).to.be.oneOf(['STALE 5', 'HIT 42']);
        let after = await read('/api/products?category=vegetables');
        for (let attempt = 0; attempt < 100 && after.cache !== 'HIT'; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          after = await read('/api/products?category=vegetables');
        }
        expect(after).to.deep.include({ cache: 'HIT' });
        expect(after.body.data[0].stock).to.equal(42);
        expect(selects, 'one rebuild').to.equal(1);
      });
    });
  }
});
