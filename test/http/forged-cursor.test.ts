import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import type { ProductRepository } from '../../src/domain/ports/product-repository.js';
import { tiedProducts } from '../support/product-fixtures.js';
import { jsonOf, problemOf, startTestService, type TestService } from '../support/test-service.js';

const SECRET = 'forged-cursor-test-secret-0123456789';

/** What someone holding the secret (a leaked or default one) could sign. */
function signed(payload: unknown) {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

describe('GET /api/products with a validly signed cursor of the wrong shape', () => {
  let service: TestService;
  let listCalls = 0;
  let fingerprint: string;

  before(async () => {
    const products = new InMemoryProductRepository();
    await products.upsert(tiedProducts(10));
    const counting: ProductRepository = {
      list: (query) => {
        listCalls += 1;
        return products.list(query);
      },
      findById: (id) => products.findById(id),
      upsert: (drafts) => products.upsert(drafts),
    };
    service = await startTestService(
      { ProductRepository: counting },
      { CURSOR_SECRET: SECRET, CACHE_FRESH_SECONDS: '0', CACHE_STALE_SECONDS: '0' },
    );
    const first = await jsonOf(await fetch(`${service.url}/api/products?sort=price&limit=2`));
    const [body] = (first.page.nextCursor as string).split('.');
    fingerprint = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')).f;
  });

  after(() => service.close());

  const shapes: Array<[string, Record<string, unknown>]> = [
    ['an object position', { v: { id: 1 }, i: 1 }],
    ['an array position', { v: [1, 2], i: 1 }],
    ['a null position', { v: null, i: 1 }],
    ['a string id', { v: 100, i: '1 OR 1=1' }],
    ['a negative id', { v: 100, i: -5 }],
    ['a fractional id', { v: 100, i: 1.5 }],
    ['an extra key', { v: 100, i: 1, sql: 'DROP TABLE products' }],
  ];

  for (const [what, fields] of shapes) {
    it(`the listing, when the signed cursor holds ${what}, answers 400 and never reaches the repository`, async () => {
      const before = listCalls;
      const cursor = signed({ f: fingerprint, ...fields });
      const problem = await problemOf(await fetch(`${service.url}/api/products?sort=price&limit=2&cursor=${cursor}`), 400);
      expect(problem.detail).to.match(/cursor/);
      expect(listCalls - before).to.equal(0);
    });
  }

  it('the listing, when the signed cursor has the right shape, is served (the forged ones fail on shape alone)', async () => {
    const response = await fetch(`${service.url}/api/products?sort=price&limit=2&cursor=${signed({ f: fingerprint, v: 0, i: 1 })}`);
    expect(response.status).to.equal(200);
  });
});
