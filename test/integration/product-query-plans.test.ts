import { expect } from 'chai';
import type { Knex } from 'knex';
import { KnexProductRepository, RARE_TERM_LIMIT } from '../../src/adapters/persistence/knex-product-repository.js';
import { sortValueOf, type ProductQuery, type SortField, type SortOrder } from '../../src/domain/product-query.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { COMMON_WORD, RARE_WORD } from '../../src/infrastructure/seed/catalog-generator.js';
import { seedCatalog } from '../../src/infrastructure/seed/seed-catalog.js';
import { explainPlan, type QueryPlan } from '../support/query-plan.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

// Enough rows that MariaDB weighs index ranges against scans and refs as it does for a real
// catalogue (at 40,000 it still chose the range after a cursor that it abandons at 1,000,000).
const PRODUCTS = 100_000;
const SORTS: SortField[] = ['createdAt', 'price', 'name'];
const ORDERS: SortOrder[] = ['asc', 'desc'];
const SORT_INDEX: Record<SortField, string> = { createdAt: 'created_at', price: 'price', name: 'name' };
const SORT_COLUMN: Record<SortField, string> = { createdAt: 'created_at', price: 'price_paise', name: 'name' };
const FULL_SCAN = 'ALL';

describe('Product query plans on MariaDB (EXPLAIN of the SQL KnexProductRepository emits)', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let repository: KnexProductRepository;

  before(async () => {
    database = await createTestDatabase('farmlokal_plans');
    await migrateLatest(database.knex);
    await seedCatalog(database.knex, { count: PRODUCTS, seed: 11, reset: false });
    await database.knex.raw('ANALYZE TABLE products, product_terms');
    repository = new KnexProductRepository(database.knex);
  });

  after(async () => {
    await database?.drop();
  });

  /** Runs the listing, then EXPLAINs the statement that fetched the page (the last one sent). */
  async function planOf(query: Partial<ProductQuery>): Promise<QueryPlan> {
    const full: ProductQuery = { limit: 20, sort: 'createdAt', order: 'desc', categories: [], words: [], ...query };
    const sent: { sql: string; bindings: unknown[] }[] = [];
    const record = (q: { sql: string; bindings: unknown[] }) => sent.push(q);
    database.knex.on('query', record);
    try {
      await repository.list(full);
    } finally {
      database.knex.off('query', record);
    }
    const page = sent.at(-1)!;
    return explainPlan(database.knex, page.sql, page.bindings);
  }

  /**
   * A keyset position from the listing itself, most of the way down it: reading from the start of
   * the category instead of seeking to the position would cost thousands of rows, not twenty.
   */
  async function cursorFor(query: Partial<ProductQuery> & Pick<ProductQuery, 'sort' | 'order'>) {
    const page = await repository.list({ limit: 100, categories: [], words: [], ...query });
    let last = page.items.at(-1)!;
    for (let pages = 0; pages < 30; pages += 1) {
      const next = await repository.list({ limit: 100, categories: [], words: [], ...query, after: { value: sortValueOf(last, query.sort), id: last.id } });
      if (next.items.length === 0) break;
      last = next.items.at(-1)!;
    }
    return { value: sortValueOf(last, query.sort), id: last.id };
  }

  function expectNoFullScan(plan: QueryPlan) {
    const scans = plan.tables.filter((t) => !t.table.startsWith('<') && t.access === FULL_SCAN);
    expect(scans, `full table scan in ${JSON.stringify(plan.json)}`).to.deep.equal([]);
  }

  function expectNoFilesortOverProducts(plan: QueryPlan) {
    const overProducts = plan.filesorts.filter((tables) => tables.includes('products'));
    expect(overProducts, `filesort over products in ${JSON.stringify(plan.json)}`).to.deep.equal([]);
  }

  /**
   * Products come off `index` in its own order: no scan, no filesort. After a cursor, the read must
   * be a range that seeks to the position through the sort column, not a ref on the category that
   * starts at the category's first row and filters its way to the position.
   */
  function expectReadInIndexOrder(plan: QueryPlan, index: string, seekColumn?: string) {
    expectNoFullScan(plan);
    expectNoFilesortOverProducts(plan);
    const reads = plan.tables.filter((t) => t.table === 'products');
    expect(reads, JSON.stringify(plan.json)).to.not.be.empty;
    for (const read of reads) {
      expect(read.key, `products read through ${read.key} (${read.access}), not ${index}`).to.equal(index);
      if (seekColumn === undefined) {
        expect(['index', 'range', 'ref']).to.include(read.access);
      } else {
        expect({ access: read.access, seeksThrough: read.keyParts.includes(seekColumn) }, `products read by ${read.access} on ${read.keyParts.join(', ')}`).to.deep.equal({ access: 'range', seeksThrough: true });
      }
    }
  }

  for (const sort of SORTS) {
    for (const order of ORDERS) {
      for (const withCategory of [false, true]) {
        for (const withCursor of [false, true]) {
          const index = withCategory ? `products_category_${SORT_INDEX[sort]}_id` : `products_${SORT_INDEX[sort]}_id`;
          const when = `${sort} ${order}${withCategory ? ', one category' : ''}${withCursor ? ', after a cursor' : ''}`;
          it(`the listing, when sorted by ${when}, reads ${index} in order with no full scan or filesort`, async () => {
            const categories = withCategory ? ['dairy'] : [];
            const after = withCursor ? await cursorFor({ sort, order, categories }) : undefined;
            expectReadInIndexOrder(await planOf({ sort, order, categories, after }), index, after && SORT_COLUMN[sort]);
          });
        }
      }

      it(`the listing, when sorted by ${sort} ${order} in three categories after a cursor, merges one ${SORT_INDEX[sort]} index range per category`, async () => {
        const categories = ['dairy', 'fruit', 'milk'];
        const after = await cursorFor({ sort, order, categories });
        const plan = await planOf({ sort, order, categories, after });
        expectReadInIndexOrder(plan, `products_category_${SORT_INDEX[sort]}_id`, SORT_COLUMN[sort]);
        expect(plan.tables.filter((t) => t.table === 'products')).to.have.length(3);
      });

      for (const withCategory of [false, true]) {
        const index = withCategory ? `products_category_${SORT_INDEX[sort]}_id` : `products_${SORT_INDEX[sort]}_id`;
        it(`search for a common word ("${COMMON_WORD}"), when sorted by ${sort} ${order}${withCategory ? ' in one category' : ''}, walks ${index} and checks each product's terms by primary key`, async () => {
          const plan = await planOf({ sort, order, categories: withCategory ? ['fruit'] : [], words: [COMMON_WORD] });
          expectReadInIndexOrder(plan, index);
          const checks = plan.tables.filter((t) => t.table === 't');
          expect(checks, JSON.stringify(plan.json)).to.have.length(1);
          expect(checks[0]!.key).to.equal('PRIMARY');
          expect(plan.tables.some((t) => t.table.startsWith('<subquery')), 'the term check is materialised').to.equal(false);
        });
      }
    }

    it(`search for a rare word ("${RARE_WORD}"), when sorted by ${sort}, is driven by the term index and sorts only its few matches`, async () => {
      const plan = await planOf({ sort, order: 'asc', words: [COMMON_WORD, RARE_WORD] });
      expectNoFullScan(plan);
      const driving = plan.tables.filter((t) => t.table === 'd');
      expect(driving, JSON.stringify(plan.json)).to.have.length(1);
      expect(driving[0]).to.include({ access: 'range', key: 'product_terms_term_product' });
      expect(driving[0]!.rows).to.be.below(RARE_TERM_LIMIT);
      const products = plan.tables.filter((t) => t.table === 'products');
      expect(products.map(({ access, key }) => ({ access, key }))).to.deep.equal([{ access: 'eq_ref', key: 'PRIMARY' }]);
      expect(plan.tables.filter((t) => t.table === 't').map((t) => t.key)).to.deep.equal(['PRIMARY']);
    });
  }

  it('search for a common word, when in one category after a cursor, seeks to the position in the category index', async () => {
    const after = await cursorFor({ sort: 'name', order: 'desc', categories: ['fruit'], words: [COMMON_WORD] });
    const plan = await planOf({ sort: 'name', order: 'desc', categories: ['fruit'], words: [COMMON_WORD], after });
    expectReadInIndexOrder(plan, 'products_category_name_id', 'name');
  });

  it('the plan checks, when the index a listing needs is missing, report the full scan or filesort', async () => {
    const knex: Knex = database.knex;
    await knex.raw('ALTER TABLE products DROP INDEX products_price_id');
    try {
      const plan = await planOf({ sort: 'price', order: 'asc' });
      expect(() => expectReadInIndexOrder(plan, 'products_price_id')).to.throw(/filesort|full table scan|not products_price_id/);
    } finally {
      await knex.raw('ALTER TABLE products ADD INDEX products_price_id (price_paise, id)');
    }
  });
});
