import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import sinon from 'sinon';
import { adversarialCorpus, type AdversarialQuery } from '../../bench/adversarial-corpus.js';
import { normaliseListing } from '../../src/adapters/http/product-listing.js';
import { MAX_SEARCH_WORDS } from '../../src/adapters/http/schemas/product-schemas.js';
import { KnexProductRepository } from '../../src/adapters/persistence/knex-product-repository.js';
import { isIndexRange } from '../../src/adapters/persistence/product-page-sql.js';
import { Bulkhead } from '../../src/adapters/shared/bulkhead.js';
import type { KeysetPosition, ProductQuery, SortField } from '../../src/domain/product-query.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { seedCatalog } from '../../src/infrastructure/seed/seed-catalog.js';
import { describeWith } from '../support/backends.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';
import { Price } from '../../src/domain/price.js';

const PRODUCTS = 30_000;
// Far below the catalogue (middling words under 2% of products, a walk of 0.8% of it): a plan that
// walks every product, or every product having a common word, reads more rows than a page may.
const LIMITS = { rareTermLimit: 300, scanBudget: 300, middlingTermLimit: 600, walkBudget: 240 };
// Rows MariaDB reads for one unit of scan budget: the product by primary key (plus the id list's
// temporary table, 2 rows), and a word check reads the product's terms up to the match (a seeded
// product has at most 14); the candidates' index entries, one each. Measured worst here: ~9.
const ROWS_PER_UNIT = 20;
// Index entries a page may read besides: the middling words' term ranges (fewer than
// middlingTermLimit together), the sort index walk against them (walkBudget, plus the one entry
// past each of at most three chunks and each range's first read).
const INDEX_ROWS = LIMITS.middlingTermLimit + LIMITS.walkBudget + 12;
const MAX_ROWS_PER_PAGE = ROWS_PER_UNIT * Math.max(LIMITS.rareTermLimit, LIMITS.scanBudget) + INDEX_ROWS;
// A word's count reads its term range up to the middling limit, through a derived table (twice more).
const COUNT_ROWS_PER_WORD = 3 * (Math.max(LIMITS.rareTermLimit, LIMITS.middlingTermLimit) + 1);
// Per request: a term count per word not counted in the last minute, a term range per middling
// word, then at most three chunks of candidates and a few batches of their matches (or the rare
// word's term range and its matches).
const MAX_STATEMENTS = 2 * MAX_SEARCH_WORDS + 10;
const SORT_COLUMNS: Record<SortField, string> = { createdAt: 'created_at', price: 'price_paise', name: 'name' };
const HANDLER = /^Handler_read/;

describeWith(['mysql'], 'Search cost on MariaDB (rows read per page of the adversarial corpus)', function () {
  this.timeout(600_000);
  let database: TestDatabase;
  let single: Knex;
  let repository: KnexProductRepository;
  let corpus: AdversarialQuery[];
  let middle: Record<SortField, string | number>;

  before(async () => {
    database = await createTestDatabase('farmlokal_search_cost');
    await migrateLatest(database.knex);
    await seedCatalog(database.knex, { count: PRODUCTS, seed: 7, reset: false });
    await database.knex.raw('ANALYZE TABLE products, product_terms');
    // One connection, so the session's handler counters are the repository's statements.
    single = knexFactory({ ...database.knex.client.config, pool: { min: 1, max: 1 } });
    repository = new KnexProductRepository(single, Date.now, LIMITS);
    corpus = await adversarialCorpus(database.knex, { sample: 10_000 });
    middle = Object.fromEntries(
      await Promise.all(
        Object.entries(SORT_COLUMNS).map(async ([sort, column]) => {
          const row = await database
            .knex('products')
            .select(column)
            .orderBy(column)
            .offset(PRODUCTS / 2)
            .first();
          return [sort, sort === 'name' ? String(row[column]) : Number(row[column])];
        }),
      ),
    ) as Record<SortField, string | number>;
  });

  after(async () => {
    await single?.destroy();
    await database?.drop();
  });

  async function rowsRead(): Promise<number> {
    const [rows] = (await single.raw('SHOW SESSION STATUS LIKE ?', ['Handler_read%'])) as [{ Variable_name: string; Value: string }[]];
    return rows.filter((r) => HANDLER.test(r.Variable_name)).reduce((sum, r) => sum + Number(r.Value), 0);
  }

  function toQuery(q: AdversarialQuery): ProductQuery {
    const { query } = normaliseListing({
      limit: q.limit,
      sort: q.sort,
      order: q.order,
      q: q.q,
      category: q.categories?.join(','),
      minPrice: q.minPrice === undefined ? undefined : Price.parse(q.minPrice),
      maxPrice: q.maxPrice === undefined ? undefined : Price.parse(q.maxPrice),
    });
    const after: KeysetPosition | undefined = q.deep ? { value: middle[q.sort], id: q.order === 'asc' ? 0 : 2 ** 31 } : undefined;
    return { ...query, after };
  }

  /** The rows read and statements sent by one page, net of what SHOW SESSION STATUS itself reads (a temporary table). */
  async function costOf(query: ProductQuery) {
    const baseline = (await rowsRead()) - (await rowsRead());
    let statements = 0;
    const count = () => {
      statements += 1;
    };
    const before = await rowsRead();
    single.on('query', count);
    try {
      await repository.list(query);
    } finally {
      single.off('query', count);
    }
    const after = await rowsRead();
    return { rows: after - before + baseline, statements };
  }

  it('the corpus, when generated from the seeded catalogue, holds never-meeting pairs and triples, short prefixes, every category, wide and empty price ranges and deep cursors at limit 100', () => {
    const labels = new Set(corpus.map((q) => q.label));
    for (const label of [
      'common words that never meet',
      'shortest prefixes that never meet',
      'never-meeting pair and an everywhere word',
      'one- or two-letter prefix',
      'middling word',
      'no product in the price range',
    ]) {
      expect(labels, label).to.include(label);
    }
    expect(corpus.some((q) => (q.categories?.length ?? 0) === 20)).to.equal(true);
    expect(corpus.some((q) => q.deep)).to.equal(true);
    expect(corpus.every((q) => q.limit === 100)).to.equal(true);
  });

  it('every corpus request, when first asked (its words not yet counted), reads a bounded number of rows and sends a bounded number of statements', async () => {
    const worst = { rows: 0, statements: 0, label: '' };
    for (const q of corpus) {
      const { rows, statements } = await costOf(toQuery(q));
      const label = `${q.label}: q=${q.q ?? ''} ${q.sort} ${q.order}`;
      expect(rows, `${label} read ${rows} rows`).to.be.at.most(MAX_ROWS_PER_PAGE + COUNT_ROWS_PER_WORD * MAX_SEARCH_WORDS);
      expect(statements, `${label} sent ${statements} statements`).to.be.at.most(MAX_STATEMENTS);
      if (rows > worst.rows) Object.assign(worst, { rows, statements, label });
    }
    expect(worst.rows, 'the measurement counts rows at all').to.be.greaterThan(0);
  });

  it('a repository with a search bulkhead, when asked for budgeted search pages, runs each through it; an unsearched listing and a rare word never wait for it', async () => {
    const searches = new Bulkhead({ name: 'search', slots: 1, maxQueue: 8, maxWaitMs: 10_000 });
    const turns = sinon.spy(searches, 'run');
    const taking = new KnexProductRepository(single, Date.now, LIMITS, searches);
    await taking.list(toQuery({ label: 'plain', limit: 20, sort: 'price', order: 'asc' }));
    await taking.list(toQuery({ label: 'rare', limit: 20, sort: 'name', order: 'asc', q: 'zzzznothing' }));
    expect(turns.callCount, 'plain listing and rare word').to.equal(0);
    // A price range on the price sort is an index range: one statement, no budget, no turn.
    const budgeted = corpus.filter(
      (q) => (q.label === 'common words that never meet' || q.label === 'no product in the price range') && !isIndexRange(toQuery(q)),
    );
    expect(budgeted.length).to.be.greaterThan(0);
    for (const q of budgeted) await taking.list(toQuery(q));
    expect(turns.callCount).to.equal(budgeted.length);
    expect(searches.load).to.deep.equal({ running: 0, waiting: 0 });
  });

  it('every corpus request, when its words were counted before, reads at most the page budget', async () => {
    for (const q of corpus) {
      const { rows } = await costOf(toQuery(q));
      expect(rows, `${q.label}: q=${q.q ?? ''} ${q.sort} ${q.order}`).to.be.at.most(MAX_ROWS_PER_PAGE);
    }
  });

  it('a search for a middling word, when sorted by price up to its first products, reads at most its term range, the walk budget and the page itself per page', async () => {
    const [{ n }] = (await database.knex('product_terms').count({ n: '*' }).where('term', '>=', 'atta').andWhere('term', '<', 'attb')) as {
      n: number;
    }[];
    expect(Number(n), 'atta is middling here').to.be.within(LIMITS.rareTermLimit, LIMITS.middlingTermLimit - 1);
    const query = toQuery({ label: 'middling', limit: 20, sort: 'price', order: 'asc', q: 'atta' });
    await repository.list(query);
    // A page reads the term range, the walk and its products: 20 + 1 by primary key, a few rows each.
    const bound = INDEX_ROWS + 5 * (query.limit + 1);
    let after: KeysetPosition | undefined;
    let pages = 0;
    for (; pages < 100; pages += 1) {
      const { rows } = await costOf({ ...query, after });
      expect(rows, `page ${pages + 1}`).to.be.at.most(bound);
      const page = await repository.list({ ...query, after });
      if (page.items.length > 0 || page.next === null) break;
      after = page.next;
    }
    const first = await database
      .knex('products')
      .select('id', 'price_paise')
      .where('deleted', 0)
      .whereIn('id', database.knex('product_terms').select('product_id').where('term', '>=', 'atta').andWhere('term', '<', 'attb'))
      .orderBy([{ column: 'price_paise' }, { column: 'id' }])
      .first();
    const [{ before }] = await database
      .knex('products')
      .count<{ before: number }[]>({ before: '*' })
      .where('price_paise', '<', first.price_paise)
      .orWhereRaw('price_paise = ? AND id < ?', [first.price_paise, first.id]);
    expect(Number(before), 'the first match lies several walks deep').to.be.greaterThan(3 * LIMITS.walkBudget);
    expect(pages, 'empty pages before the first match: one per walk budget of products before it').to.equal(
      Math.floor(Number(before) / LIMITS.walkBudget),
    );
  });

  it('a search for two common words that never meet, when paged to the end, examines the catalogue one budget per page and finds nothing', async () => {
    const pair = corpus.find((q) => q.label === 'common words that never meet')!;
    const query = toQuery({ ...pair, deep: false });
    let after: KeysetPosition | undefined;
    let pages = 0;
    for (; pages < 1_000; pages += 1) {
      const page = await repository.list({ ...query, after });
      expect(page.items).to.deep.equal([]);
      if (page.next === null) break;
      after = page.next;
    }
    const perPage = Math.floor(LIMITS.scanBudget / (1 + query.words.length));
    expect(pages).to.equal(Math.ceil(PRODUCTS / perPage) - 1);
  });
});
