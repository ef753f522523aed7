import { expect } from 'chai';
import { createClient } from 'redis';
import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import { RedisCatalogCache } from '../../src/adapters/redis/redis-catalog-cache.js';
import type { ProductRepository } from '../../src/domain/ports/product-repository.js';
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
      Array.from({ length: 200 }, (_, i) => fetch(`${instances[i % 2]!.url}/api/products?limit=5&sort=price`)),
    );
    expect(responses.every((r) => r.status === 200)).to.equal(true);
    expect(repository.lists).to.be.within(1, 2);
    const bodies = new Set(await Promise.all(responses.map((r) => r.text())));
    expect(bodies.size).to.equal(1);
  });

  it('GET /api/products, when the catalogue is invalidated, stops serving what was cached before', async () => {
    const url = `${instances[0]!.url}/api/products?limit=5&sort=price`;
    await fetch(url);
    expect((await fetch(url)).headers.get('x-cache')).to.equal('HIT');
    await new RedisCatalogCache(redis.client, redis.prefix).invalidateAll();
    expect((await fetch(`${instances[1]!.url}/api/products?limit=5&sort=price`)).headers.get('x-cache')).to.equal('MISS');
  });

  it('GET /api/products, when the database goes down, keeps serving cached pages', async () => {
    const url = `${instances[0]!.url}/api/products?limit=5&category=fruit`;
    const warm = await (await fetch(url)).text();
    repository.down = true;
    const fromOther = await fetch(`${instances[1]!.url}/api/products?limit=5&category=fruit`);
    expect(fromOther.status).to.equal(200);
    expect(await fromOther.text()).to.equal(warm);
  });
});

describeWith(['redis'], 'Catalogue caching with Redis unreachable', () => {
  let client: RedisClient;
  let service: TestService;

  before(async () => {
    client = createClient({ url: 'redis://127.0.0.1:1', disableOfflineQueue: true, socket: { reconnectStrategy: false } }) as RedisClient;
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
