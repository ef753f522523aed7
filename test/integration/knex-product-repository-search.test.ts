import { expect } from 'chai';
import type { Knex } from 'knex';
import { KnexProductRepository, TERM_COUNT_TTL_MS } from '../../src/adapters/persistence/knex-product-repository.js';
import type { ProductQuery } from '../../src/domain/product-query.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { tiedProducts } from '../support/product-fixtures.js';

const SEARCH: ProductQuery = { limit: 100, sort: 'createdAt', order: 'desc', categories: [], words: ['mango'] };

describe('KnexProductRepository search planning (SQLite)', () => {
  let knex: Knex;
  let now: number;
  let repository: KnexProductRepository;
  let termCounts: number;
  const countTermCounts = (query: { sql: string }) => {
    if (/count\(\*\)/i.test(query.sql) && query.sql.includes('product_terms')) termCounts += 1;
  };

  beforeEach(async () => {
    knex = await createKnex({ SQLITE_FILE: ':memory:' });
    await migrateLatest(knex);
    now = Date.UTC(2026, 10, 24);
    repository = new KnexProductRepository(knex, () => now);
    await repository.upsert(tiedProducts(20));
    termCounts = 0;
    knex.on('query', countTermCounts);
  });

  afterEach(async () => {
    knex.off('query', countTermCounts);
    await knex.destroy();
  });

  it('list, when a word is searched again within the count TTL, counts its terms once, and again after it', async () => {
    await repository.list(SEARCH);
    await repository.list({ ...SEARCH, sort: 'price', order: 'asc' });
    expect(termCounts).to.equal(1);

    now += TERM_COUNT_TTL_MS + 1;
    await repository.list(SEARCH);
    expect(termCounts).to.equal(2);
  });

  it('list, when concurrent searches share a word, counts its terms once for all of them', async () => {
    await Promise.all(Array.from({ length: 10 }, () => repository.list(SEARCH)));
    expect(termCounts).to.equal(1);
  });

  it('list, when products gain the word after it was counted, still finds every one of them', async () => {
    const before = await repository.list(SEARCH);
    await repository.upsert(tiedProducts(40, 'NEW').filter((draft) => draft.name.includes('Mango')));

    const after = await repository.list(SEARCH);
    expect(termCounts).to.equal(1);
    expect(after.items.length).to.be.above(before.items.length);
    expect(after.items.filter((p) => p.sku.startsWith('NEW-'))).to.have.length(16);
    expect(after.items.every((p) => /mango/i.test(`${p.name} ${p.description}`))).to.equal(true);
  });
});
