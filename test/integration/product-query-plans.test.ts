import { expect } from 'chai';
import type { Knex } from 'knex';
import { KnexProductRepository, RARE_TERM_LIMIT } from '../../src/adapters/persistence/knex-product-repository.js';
import { sortValueOf, type ProductQuery, type SortField, type SortOrder } from '../../src/domain/product-query.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { COMMON_WORD, RARE_WORD } from '../../src/infrastructure/seed/catalog-generator.js';
import { seedCatalog } from '../../src/infrastructure/seed/seed-catalog.js';
import { explainPlan, type QueryPlan } from '../support/query-plan.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';
import { describeWith } from '../support/backends.js';

// Enough rows that MariaDB weighs index ranges against scans and refs as it does for a real
// catalogue (at 40,000 it still chose the range after a cursor that it abandons at 1,000,000).
const PRODUCTS = 100_000;
const SORTS: SortField[] = ['createdAt', 'price', 'name'];
const ORDERS: SortOrder[] = ['asc', 'desc'];
const SORT_INDEX: Record<SortField, string> = { createdAt: 'created_at', price: 'price', name: 'name' };
const SORT_COLUMN: Record<SortField, string> = { createdAt: 'created_at', price: 'price_paise', name: 'name' };
const FULL_SCAN = 'ALL';
// In a few % of seeded products: too common to drive from its term range, too rare to fill a page
// from the first rows of the sort index; under MIDDLING_TERM_LIMIT, so read as an id set.
const MIDDLING_WORD = 'atta';
const FILTER_CASES = [
  { label: '', categories: [] as string[] },
  { label: ' in one category', categories: ['grains'] },
  {
    label: ' in three categories with a price range',
    categories: ['fruit', 'grains', 'milk'],
    minPricePaise: 5_000,
    maxPricePaise: 60_000,
  },
];

describeWith(['mysql'], 'Product query plans on MariaDB (EXPLAIN of the SQL KnexProductRepository emits)', function () {
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

  /** Runs the listing and returns the statements it sent. */
  async function statementsOf(query: Partial<ProductQuery>): Promise<{ sql: string; bindings: unknown[] }[]> {
    const full: ProductQuery = { limit: 20, sort: 'createdAt', order: 'desc', categories: [], words: [], ...query };
    const sent: { sql: string; bindings: unknown[] }[] = [];
    const record = (q: { sql: string; bindings: unknown[] }) => sent.push(q);
    database.knex.on('query', record);
    try {
      await repository.list(full);
    } finally {
      database.knex.off('query', record);
    }
    return sent;
  }

  /** Runs the listing, then EXPLAINs the statement that fetched the page (the last one sent). */
  async function planOf(query: Partial<ProductQuery>): Promise<QueryPlan> {
    const page = (await statementsOf(query)).at(-1)!;
    return explainPlan(database.knex, page.sql, page.bindings);
  }

  /** EXPLAINs of a search's statements by their part: candidates (sort index walk), term ids (rare word), matches. */
  async function searchPlans(query: Partial<ProductQuery>) {
    const sent = await statementsOf(query);
    const explain = (part: RegExp) =>
      Promise.all(sent.filter((q) => part.test(q.sql)).map((q) => explainPlan(database.knex, q.sql, q.bindings)));
    return {
      candidates: await explain(/^SELECT (\* FROM \(SELECT )?id, \w+ AS v /),
      termIds: await explain(/^SELECT product_id AS id FROM product_terms/),
      matches: await explain(/FROM products FORCE INDEX \(PRIMARY\)/),
    };
  }

  /** A matches statement reads products by primary key only (its id list) and each word check through product_terms' primary key. */
  function expectReadByPrimaryKey(plan: QueryPlan) {
    const real = plan.tables.filter((t) => !t.table.startsWith('<'));
    expect(
      real.filter((t) => t.access === FULL_SCAN),
      `full scan in ${JSON.stringify(plan.json)}`,
    ).to.deep.equal([]);
    const products = real.filter((t) => t.table === 'products');
    expect(
      products.map((t) => t.key),
      JSON.stringify(plan.json),
    ).to.deep.equal(['PRIMARY']);
    for (const check of real.filter((t) => t.table === 't')) expect(check.key, JSON.stringify(plan.json)).to.equal('PRIMARY');
  }

  /**
   * A keyset position from the listing itself, most of the way down it: reading from the start of
   * the category instead of seeking to the position would cost thousands of rows, not twenty.
   */
  async function cursorFor(query: Partial<ProductQuery> & Pick<ProductQuery, 'sort' | 'order'>) {
    const page = await repository.list({ limit: 100, categories: [], words: [], ...query });
    let last = page.items.at(-1)!;
    for (let pages = 0; pages < 30; pages += 1) {
      const next = await repository.list({
        limit: 100,
        categories: [],
        words: [],
        ...query,
        after: { value: sortValueOf(last, query.sort), id: last.id },
      });
      if (next.items.length === 0) break;
      last = next.items.at(-1)!;
    }
    return { value: sortValueOf(last, query.sort), id: last.id };
  }

  /** Every table of the plan is read from its index alone (a covering index: no row lookups). */
  function expectIndexOnly(plan: QueryPlan) {
    const text = JSON.stringify(plan.json);
    const tables = (text.match(/"table_name":"[^<"][^"]*"/g) ?? []).length;
    expect(tables, `tables in ${text}`).to.be.greaterThan(0);
    expect((text.match(/"using_index":true/g) ?? []).length, `index-only reads in ${text}`).to.equal(tables);
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
        expect(
          { access: read.access, seeksThrough: read.keyParts.includes(seekColumn) },
          `products read by ${read.access} on ${read.keyParts.join(', ')}`,
        ).to.deep.equal({ access: 'range', seeksThrough: true });
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

      for (const filters of FILTER_CASES) {
        const index = filters.categories.length === 1 ? `products_category_${SORT_INDEX[sort]}_id` : `products_${SORT_INDEX[sort]}_id`;
        const query = {
          sort,
          order,
          categories: filters.categories,
          minPricePaise: filters.minPricePaise,
          maxPricePaise: filters.maxPricePaise,
        };
        it(`search for a common word ("${COMMON_WORD}"), when sorted by ${sort} ${order}${filters.label}, walks ${index} for its candidates and checks them by primary key`, async () => {
          const { candidates, termIds, matches } = await searchPlans({ ...query, words: [COMMON_WORD] });
          expect(termIds, 'no term range read').to.have.length(0);
          expect(candidates.length, 'at least one chunk of candidates').to.be.greaterThan(0);
          expect(matches).to.have.length(candidates.length);
          for (const plan of candidates) expectReadInIndexOrder(plan, index);
          for (const plan of matches) expectReadByPrimaryKey(plan);
        });

        it(`search for a middling word ("${MIDDLING_WORD}"), when sorted by ${sort} ${order}${filters.label}, reads its term range and walks ${index} from the indexes alone, then reads the matches by primary key`, async () => {
          // Under some sorts the word's products come late: the first pages walk the budget and find none.
          const search = { limit: 20, ...query, words: [MIDDLING_WORD] };
          let after: ProductQuery['after'];
          let plans = await searchPlans(search);
          for (let pages = 0; plans.matches.length === 0 && pages < 50; pages += 1) {
            after = (await repository.list({ ...search, after })).next ?? undefined;
            plans = await searchPlans({ ...search, after });
          }
          const { candidates, termIds, matches } = plans;
          expect(termIds, 'one term range read').to.have.length(1);
          expect(termIds[0].tables.map(({ table, access, key }) => ({ table, access, key }))).to.deep.equal([
            { table: 'product_terms', access: 'range', key: 'product_terms_term_product' },
          ]);
          expectIndexOnly(termIds[0]);
          expect(candidates.length, 'at least one chunk of candidates').to.be.greaterThan(0);
          for (const plan of candidates) {
            expectReadInIndexOrder(plan, index);
            expectIndexOnly(plan);
          }
          expect(matches.length, 'the matches read by primary key').to.be.greaterThan(0);
          for (const plan of matches) expectReadByPrimaryKey(plan);
        });
      }
    }

    for (const categories of [[], ['grains'], ['dairy', 'grains', 'spices']]) {
      it(`search for a rare word ("${RARE_WORD}"), when sorted by ${sort} in ${categories.length} categories, reads the word's term range and its few products by primary key`, async () => {
        const { candidates, termIds, matches } = await searchPlans({ sort, order: 'asc', categories, words: [COMMON_WORD, RARE_WORD] });
        expect(candidates, 'no sort index walk').to.have.length(0);
        expect(termIds).to.have.length(1);
        expect(termIds[0].tables.map(({ table, access, key }) => ({ table, access, key }))).to.deep.equal([
          { table: 'product_terms', access: 'range', key: 'product_terms_term_product' },
        ]);
        expect(termIds[0].tables[0].rows).to.be.below(RARE_TERM_LIMIT);
        expect(matches).to.have.length(1);
        expectReadByPrimaryKey(matches[0]);
      });
    }
  }

  for (const [word, categories] of [
    [COMMON_WORD, ['fruit']],
    [MIDDLING_WORD, ['grains']],
    [MIDDLING_WORD, []],
  ] as const) {
    it(`search for "${word}", when in ${categories.length} category after a cursor, seeks to the position in the sort index`, async () => {
      const after = await cursorFor({ sort: 'name', order: 'desc', categories: [...categories], words: [word] });
      const { candidates } = await searchPlans({ sort: 'name', order: 'desc', categories: [...categories], words: [word], after });
      expect(candidates.length).to.be.greaterThan(0);
      for (const plan of candidates)
        expectReadInIndexOrder(plan, categories.length ? 'products_category_name_id' : 'products_name_id', 'name');
    });
  }

  for (const sort of ['createdAt', 'name'] as const) {
    it(`the listing, when filtered to a price range and sorted by ${sort}, walks the sort index on a budget instead of filtering row by row`, async () => {
      const { candidates, matches } = await searchPlans({ sort, order: 'asc', minPricePaise: 1, maxPricePaise: 49 });
      expect(candidates.length).to.be.greaterThan(0);
      for (const plan of candidates) expectReadInIndexOrder(plan, `products_${SORT_INDEX[sort]}_id`);
      for (const plan of matches) expectReadByPrimaryKey(plan);
    });
  }

  it('the listing, when the index it needs is missing, fails naming the index, and the plan checks report the scan or filesort it would do', async () => {
    const knex: Knex = database.knex;
    const page = (await statementsOf({ sort: 'price', order: 'asc' })).at(-1)!;
    await knex.raw('ALTER TABLE products DROP INDEX products_price_id');
    try {
      await expect(repository.list({ limit: 20, sort: 'price', order: 'asc', categories: [], words: [] })).to.be.rejectedWith(
        /products_price_id/,
      );
      const plan = await explainPlan(knex, page.sql.replace(' FORCE INDEX (products_price_id)', ''), page.bindings);
      expect(() => expectReadInIndexOrder(plan, 'products_price_id')).to.throw(/filesort|full table scan|not products_price_id/);
    } finally {
      await knex.raw('ALTER TABLE products ADD INDEX products_price_id (price_paise, id)');
    }
  });
});
