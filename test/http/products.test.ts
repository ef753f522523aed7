import { expect } from 'chai';
import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import type { ProductRepository } from '../../src/domain/ports/product-repository.js';
import { tiedProducts } from '../support/product-fixtures.js';
import { jsonOf, problemOf, startTestService, type TestService } from '../support/test-service.js';

describe('GET /api/products', () => {
  let service: TestService;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${service.url}${path}`, { headers });

  before(async () => {
    const repository = new InMemoryProductRepository();
    await repository.upsert(tiedProducts(60));
    service = await startTestService({ ProductRepository: repository });
  });

  after(() => service.close());

  it('GET /api/products, when called without parameters, answers the newest 20 with the documented shape', async () => {
    const response = await get('/api/products');
    expect(response.status).to.equal(200);
    const body = await jsonOf(response);
    expect(body.data).to.have.length(20);
    expect(body.page).to.include({ limit: 20, hasMore: true });
    expect(body.page.nextCursor).to.be.a('string');
    expect(body.data[0]).to.have.all.keys(
      'id',
      'sku',
      'name',
      'description',
      'category',
      'price',
      'currency',
      'stock',
      'createdAt',
      'updatedAt',
    );
    expect(body.data[0].price).to.match(/^\d+\.\d{2}$/);
    const times = body.data.map((p: { createdAt: string }) => Date.parse(p.createdAt));
    expect(times).to.deep.equal([...times].sort((a, b) => b - a));
  });

  it('GET /api/products, when following nextCursor to the end, returns every product once', async () => {
    const ids: number[] = [];
    let path = '/api/products?sort=price&order=desc&limit=7';
    for (;;) {
      const body = await jsonOf(await get(path));
      ids.push(...body.data.map((p: { id: number }) => p.id));
      if (!body.page.hasMore) break;
      path = `/api/products?sort=price&order=desc&limit=7&cursor=${body.page.nextCursor}`;
    }
    expect(ids).to.have.length(60);
    expect(new Set(ids).size).to.equal(60);
  });

  it('GET /api/products, when a filter is applied, returns only matching products', async () => {
    const body = await jsonOf(await get('/api/products?category=FRUIT&minPrice=12.5&maxPrice=99.00&q=Mango&limit=100'));
    expect(body.data.length).to.be.greaterThan(0);
    for (const product of body.data) {
      expect(product.category).to.equal('fruit');
      expect(Number(product.price)).to.be.within(12.5, 99);
      expect(product.name.toLowerCase()).to.contain('mango');
    }
  });

  const badQueries: [string, string][] = [
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['sort=popularity', 'sort'],
    ['order=up', 'order'],
    ['minPrice=12.345', 'minPrice'],
    ['maxPrice=-1', 'maxPrice'],
    ['minPrice=50&maxPrice=10', 'minPrice'],
    ['q=', 'q'],
    [`q=${'a'.repeat(101)}`, 'q'],
    ['q=%21%21%21', 'q'],
    ['category=fruit,,dairy', 'category'],
    ['colour=green', 'colour'],
    ['limit=5&limit=6', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
  ];
  for (const [query, field] of badQueries) {
    it(`GET /api/products, when the query is ${query.slice(0, 40)}, answers 400 naming ${field}`, async () => {
      const problem = await problemOf(await get(`/api/products?${query}`), 400);
      expect(problem.errors?.map((e) => e.field)).to.include(field);
    });
  }

  it('GET /api/products, when a cursor is tampered with, answers 400', async () => {
    const { page } = await jsonOf(await get('/api/products?limit=5'));
    const [body, signature] = page.nextCursor.split('.');
    const forged = Buffer.from(
      Buffer.from(body, 'base64url')
        .toString()
        .replace(/"i":\d+/, '"i":1'),
    ).toString('base64url');
    const problem = await problemOf(await get(`/api/products?limit=5&cursor=${forged}.${signature}`), 400);
    expect(problem.detail).to.match(/tampered/);
  });

  it('GET /api/products, when a cursor is reused with another sort or filter, answers 400', async () => {
    const { page } = await jsonOf(await get('/api/products?limit=5&sort=name'));
    for (const other of ['sort=price', 'sort=name&order=desc', 'sort=name&category=fruit', 'sort=name&q=ghee']) {
      const problem = await problemOf(await get(`/api/products?limit=5&${other}&cursor=${page.nextCursor}`), 400);
      expect(problem.detail).to.match(/different sort, order or filter/);
    }
    expect((await get(`/api/products?limit=9&sort=name&cursor=${page.nextCursor}`)).status, 'another page size is fine').to.equal(200);
  });

  it('GET /api/products, when asked again, serves the cached response with the same strong ETag', async () => {
    const first = await get('/api/products?limit=3&sort=name');
    const second = await get('/api/products?sort=name&order=asc&limit=03');
    expect(first.headers.get('x-cache')).to.equal('MISS');
    expect(second.headers.get('x-cache'), 'equivalent spellings share one cache key').to.equal('HIT');
    expect(second.headers.get('etag'))
      .to.equal(first.headers.get('etag'))
      .and.match(/^"[^"]+"$/);
    expect(first.headers.get('cache-control')).to.match(/max-age=\d+/);
    expect(await second.text()).to.equal(await first.text());
  });

  it('GET /api/products, when a page behind a cursor is asked for, caches it from the second request on', async () => {
    const first = (await jsonOf(await get('/api/products?limit=2&sort=price'))) as { page: { nextCursor: string } };
    const next = `/api/products?limit=2&sort=price&cursor=${first.page.nextCursor}`;
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await get(next)).headers.get('x-cache'));
    expect(statuses).to.deep.equal(['MISS', 'MISS', 'HIT']);
  });

  it('GET /api/products, when If-None-Match carries the current ETag, answers 304 without a body', async () => {
    const first = await get('/api/products?limit=4');
    const again = await get('/api/products?limit=4', { 'If-None-Match': first.headers.get('etag')! });
    expect(again.status).to.equal(304);
    expect(await again.text()).to.equal('');
  });
});

describe('GET /api/products, when a search runs out of its scan budget', () => {
  let service: TestService;

  before(async () => {
    // 6 product reads a page: 3 products examined for a one-word search.
    const repository = new InMemoryProductRepository(Date.now, 6);
    await repository.upsert(tiedProducts(60));
    service = await startTestService({ ProductRepository: repository });
  });

  after(() => service.close());

  it('GET /api/products?q=, when a page ends at the budget, answers it short with partial: true and a nextCursor that continues to every match once', async () => {
    const ids: number[] = [];
    const partials: boolean[] = [];
    let path = '/api/products?q=ghee&sort=price&limit=5';
    for (let pages = 0; pages < 100; pages += 1) {
      const body = await jsonOf(await fetch(`${service.url}${path}`));
      ids.push(...body.data.map((p: { id: number }) => p.id));
      partials.push(body.page.partial);
      expect(body.page.partial).to.equal(body.data.length < 5 && body.page.hasMore);
      expect(body.page.hasMore).to.equal(body.page.nextCursor !== null);
      if (!body.page.hasMore) break;
      path = `/api/products?q=ghee&sort=price&limit=5&cursor=${body.page.nextCursor}`;
    }
    expect(partials.filter(Boolean).length, 'short pages').to.be.greaterThan(0);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids).to.have.length(12);
  });
});

describe('GET /api/products/:id', () => {
  let service: TestService;

  before(async () => {
    const repository = new InMemoryProductRepository();
    await repository.upsert(tiedProducts(3));
    service = await startTestService({ ProductRepository: repository });
  });

  after(() => service.close());

  it('GET /api/products/:id, when the product exists, answers it with an ETag', async () => {
    const response = await fetch(`${service.url}/api/products/2`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('etag')).to.be.a('string');
    expect(await response.json()).to.include({ id: 2, sku: 'T-0001', currency: 'INR' });
  });

  it('GET /api/products/:id, when no product has the id, answers 404 problem+json', async () => {
    const problem = await problemOf(await fetch(`${service.url}/api/products/999`), 404);
    expect(problem.code).to.equal('PRODUCT_NOT_FOUND');
  });

  it('GET /api/products/:id, when the id is not a positive integer, answers 400', async () => {
    for (const id of ['abc', '0', '-1', '1.5', '99999999999']) {
      const problem = await problemOf(await fetch(`${service.url}/api/products/${id}`), 400);
      expect(problem.errors?.[0]?.field).to.equal('id');
    }
  });

  it('GET /api/products/:id, when the repository fails, answers 500 revealing nothing internal', async () => {
    const broken: ProductRepository = {
      list: () => Promise.reject(new Error('secret table exploded at 10.0.0.7')),
      findById: () => Promise.reject(new Error('secret table exploded at 10.0.0.7')),
      upsert: () => Promise.reject(new Error('unused')),
    };
    const failing = await startTestService({ ProductRepository: broken });
    try {
      const problem = await problemOf(await fetch(`${failing.url}/api/products/1`), 500);
      expect(JSON.stringify(problem)).to.not.match(/secret|10\.0\.0\.7|Error|at /);
    } finally {
      await failing.close();
    }
  });
});
