import { expect } from 'chai';
import type { ProductDraft, ProductRepository } from '../../src/domain/ports/product-repository.js';
import type { Product } from '../../src/domain/product.js';
import { sortValueOf, type KeysetPosition, type ProductQuery, type SortField, type SortOrder } from '../../src/domain/product-query.js';
import { searchTerms } from '../../src/domain/search-terms.js';
import { tiedProducts } from '../support/product-fixtures.js';

export interface ProductRepositorySubject {
  readonly repository: ProductRepository;
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /**
   * The subject's scan budget in product reads, when set low enough that the fixture's searches end
   * pages early: a page examines scanBudget / (1 + words) products.
   */
  readonly scanBudget?: number;
}

/** Untouched products having `word` in `products`, for the write-between-pages case. */
function withWord(products: readonly Product[], word: string) {
  return products.filter((p) => searchTerms(`${p.name} ${p.description}`).some((t) => t.startsWith(word)));
}

type Filters = Pick<ProductQuery, 'categories' | 'minPricePaise' | 'maxPricePaise' | 'words'>;

const FILTERS: Record<string, Filters> = {
  'no filter': { categories: [], words: [] },
  'one category': { categories: ['fruit'], words: [] },
  'two categories': { categories: ['dairy', 'fruit'], words: [] },
  'a price range': { categories: [], minPricePaise: 1250, maxPricePaise: 9900, words: [] },
  'a search word': { categories: [], words: ['mang'] },
  'two words and a category': { categories: ['fruit', 'vegetables'], words: ['harvest', 'o'] },
  'a word and a word it begins': { categories: [], words: ['o', 'org'] },
  'a word, three categories and a price range': {
    categories: ['dairy', 'fruit', 'vegetables'],
    minPricePaise: 9900,
    maxPricePaise: 9900,
    words: ['f'],
  },
  'one price': { categories: [], minPricePaise: 9900, maxPricePaise: 9900, words: [] },
  'one price in two categories': { categories: ['dairy', 'fruit'], minPricePaise: 45000, maxPricePaise: 45000, words: [] },
};

const NEVER_MEETING: Record<string, Filters> = {
  'two words that never meet': { categories: [], words: ['ghee', 'mang'] },
  'three words that never meet': { categories: [], words: ['banana', 'cow', 'harvested'] },
  'a word in two categories without products': { categories: ['bakery', 'milk'], words: ['mango'] },
  'an empty price range': { categories: [], minPricePaise: 1251, maxPricePaise: 9899, words: [] },
};

const SORTS: SortField[] = ['createdAt', 'price', 'name'];
const ORDERS: SortOrder[] = ['asc', 'desc'];

interface PageThrough {
  readonly seen: Product[];
  /** Pages shorter than the limit that still had a next position: ended by the scan budget. */
  readonly shortPages: number;
}

async function pageThrough(
  repository: ProductRepository,
  query: Omit<ProductQuery, 'after'>,
  between?: () => Promise<void>,
): Promise<PageThrough> {
  const seen: Product[] = [];
  let shortPages = 0;
  let after: ProductQuery['after'];
  for (let pages = 0; pages < 1_000; pages += 1) {
    const page = await repository.list({ ...query, after });
    seen.push(...page.items);
    expect(page.items.length).to.be.at.most(query.limit);
    if (page.next === null) return { seen, shortPages };
    if (page.items.length < query.limit) shortPages += 1;
    const last = page.items.at(-1);
    if (last)
      expect(
        precedes(query, page.next, { value: sortValueOf(last, query.sort), id: last.id }),
        'next is not before the last item',
      ).to.equal(false);
    after = page.next;
    await between?.();
  }
  throw new Error('pagination did not terminate');
}

function precedes(query: Pick<ProductQuery, 'order'>, a: KeysetPosition, b: KeysetPosition) {
  const direction = query.order === 'asc' ? 1 : -1;
  const byValue = a.value === b.value ? 0 : a.value < b.value ? -1 : 1;
  return direction * (byValue || a.id - b.id) < 0;
}

function expectedOrder(all: readonly Product[], query: Omit<ProductQuery, 'after' | 'limit'>) {
  const direction = query.order === 'asc' ? 1 : -1;
  return all
    .filter((p) => query.categories.length === 0 || query.categories.includes(p.category))
    .filter((p) => query.minPricePaise === undefined || p.pricePaise >= query.minPricePaise)
    .filter((p) => query.maxPricePaise === undefined || p.pricePaise <= query.maxPricePaise)
    .filter((p) => {
      const terms = searchTerms(`${p.name} ${p.description}`);
      return query.words.every((w) => terms.some((t) => t.startsWith(w)));
    })
    .sort((a, b) => {
      const x = sortValueOf(a, query.sort);
      const y = sortValueOf(b, query.sort);
      return direction * (x === y ? a.id - b.id : x < y ? -1 : 1);
    })
    .map((p) => p.id);
}

async function everything(repository: ProductRepository) {
  const page = await repository.list({ limit: 100_000, sort: 'createdAt', order: 'asc', categories: [], words: [] });
  return page.items;
}

function draft(sku: string, overrides: Partial<ProductDraft> = {}): ProductDraft {
  return {
    sku,
    name: 'Village Jackfruit 1 kg',
    description: 'Grown in Wayanad.',
    category: 'fruit',
    pricePaise: 15000,
    stock: 3,
    version: 1,
    createdAt: new Date(Date.UTC(2026, 1, 1)),
    updatedAt: new Date(Date.UTC(2026, 1, 1)),
    ...overrides,
  };
}

export function describeProductRepositoryContract(
  name: string,
  makeSubject: () => Promise<ProductRepositorySubject>,
  options: ContractOptions = {},
) {
  describe(`ProductRepository contract: ${name}`, function () {
    this.timeout(60_000);
    let subject: ProductRepositorySubject;
    let all: readonly Product[];

    before(async () => {
      subject = await makeSubject();
      await subject.repository.upsert(tiedProducts(120));
      all = await everything(subject.repository);
    });

    after(() => subject.cleanup());

    it('upsert, when given new products, stores every field exactly', async () => {
      expect(all).to.have.length(120);
      const mango = all.find((p) => p.sku === 'T-0000')!;
      expect(mango).to.include({ name: 'Organic Alphonso Mango 1 kg', pricePaise: 1250, currency: 'INR', version: 1 });
      expect(mango.createdAt.toISOString()).to.equal('2026-01-01T00:00:00.000Z');
      expect(await subject.repository.findById(mango.id)).to.deep.equal(mango);
    });

    it('findById, when no product has the id, returns null', async () => {
      expect(await subject.repository.findById(987_654_321)).to.equal(null);
    });

    for (const [label, filters] of Object.entries(FILTERS)) {
      for (const sort of SORTS) {
        for (const order of ORDERS) {
          it(`list, when paging by ${sort} ${order} with ${label}, returns every match exactly once in order`, async () => {
            const query = { limit: 7, sort, order, ...filters };
            const { seen } = await pageThrough(subject.repository, query);
            const expected = expectedOrder(all, query);
            expect(expected.length, 'the fixture should match something').to.be.greaterThan(0);
            expect(seen.map((p) => p.id)).to.deep.equal(expected);
          });
        }
      }
    }

    for (const [label, filters] of Object.entries(NEVER_MEETING)) {
      for (const sort of SORTS) {
        it(`list, when paging by ${sort} with ${label}, returns no product and ends`, async () => {
          const query = { limit: 5, sort, order: 'desc' as const, ...filters };
          expect(expectedOrder(all, query), 'the fixture should match nothing').to.deep.equal([]);
          const { seen } = await pageThrough(subject.repository, query);
          expect(seen).to.deep.equal([]);
        });
      }
    }

    if (options.scanBudget !== undefined) {
      const examinedPerPage = (words: readonly string[]) => Math.floor(options.scanBudget! / (1 + words.length));
      it('list, when a search finds fewer matches than the limit within the scan budget, ends the page early at a position the next page continues from', async () => {
        const query = { limit: 20, sort: 'price' as const, order: 'asc' as const, categories: [], words: ['ghee'] };
        const first = await subject.repository.list(query);
        expect(first.items.length, 'a short page').to.be.below(query.limit);
        expect(first.next, 'a position to continue from').to.not.equal(null);
        const { seen, shortPages } = await pageThrough(subject.repository, query);
        expect(shortPages).to.be.greaterThan(0);
        expect(seen.map((p) => p.id)).to.deep.equal(expectedOrder(all, query));
        expect(Math.ceil(all.length / examinedPerPage(query.words)), 'at least one page per budget of products').to.be.at.most(
          shortPages + 1,
        );
      });

      it('list, when a search for two words that never meet is paged, examines the catalogue a budget at a time and returns nothing', async () => {
        const query = { limit: 10, sort: 'createdAt' as const, order: 'asc' as const, categories: [], words: ['ghee', 'mang'] };
        const { seen, shortPages } = await pageThrough(subject.repository, query);
        expect(seen).to.deep.equal([]);
        expect(shortPages, 'one empty page per budget of products').to.equal(Math.ceil(all.length / examinedPerPage(query.words)) - 1);
      });
    }

    if (options.scanBudget === undefined) {
      it('list, when searching for a word in a fifth of the products, fills every page but the last', async () => {
        const query = { limit: 4, sort: 'price' as const, order: 'asc' as const, categories: [], words: ['ghee'] };
        const sizes: number[] = [];
        let after: KeysetPosition | undefined;
        for (let pages = 0; pages < 100; pages += 1) {
          const page = await subject.repository.list({ ...query, after });
          sizes.push(page.items.length);
          if (page.next === null) break;
          after = page.next;
        }
        const expected = expectedOrder(all, query).length;
        expect(sizes.length, 'pages').to.equal(Math.ceil(expected / query.limit));
        expect(
          sizes.slice(0, -1).every((n) => n === query.limit),
          `page sizes ${sizes.join(',')}`,
        ).to.equal(true);
      });
    }

    it('list, when products gain and lose the searched word between pages, never repeats a product or drops an untouched one', async () => {
      const query = { limit: 3, sort: 'name' as const, order: 'desc' as const, categories: [], words: ['ghee'] };
      const before = withWord(all, 'ghee');
      const touched = new Set<number>();
      let round = 0;
      const { seen } = await pageThrough(subject.repository, query, async () => {
        round += 1;
        const gains = all[(round * 13) % all.length];
        const loses = before[(round * 5) % before.length];
        touched.add(gains.id).add(loses.id);
        await subject.repository.upsert([
          { ...gains, name: `Desi Ghee ${gains.name}`, version: gains.version + round * 10, createdAt: undefined, updatedAt: undefined },
          {
            ...loses,
            name: 'Farm Fresh Spinach 250 g',
            version: loses.version + round * 10 + 1,
            createdAt: undefined,
            updatedAt: undefined,
          },
        ]);
      });
      const ids = seen.map((p) => p.id);
      expect(new Set(ids).size, 'no product repeats').to.equal(ids.length);
      for (const product of before.filter((p) => !touched.has(p.id))) expect(ids, `product ${product.id}`).to.include(product.id);
      expect(touched.size, 'writes happened between pages').to.be.greaterThan(2);
    });

    it('list, when products are inserted and updated between the pages of a search, never repeats or drops the others', async () => {
      const query = { limit: 4, sort: 'price' as const, order: 'asc' as const, categories: [], words: ['mang', 'o'] };
      const before = expectedOrder(await everything(subject.repository), query);
      let round = 0;
      const { seen } = await pageThrough(subject.repository, query, async () => {
        round += 1;
        const victim = all[(round * 11) % all.length];
        await subject.repository.upsert([
          draft(`SEARCH-NEW-${round}`, { name: 'Organic Alphonso Mango 1 kg', pricePaise: 1250 + round }),
          { ...victim, version: victim.version + 1, stock: victim.stock + 100, createdAt: undefined, updatedAt: undefined },
        ]);
      });
      const ids = seen.map((p) => p.id);
      expect(new Set(ids).size, 'no product repeats').to.equal(ids.length);
      for (const id of before) expect(ids, `product ${id}`).to.include(id);
    });

    it('list, when products are inserted and updated between pages, never repeats or drops the others', async () => {
      const before = await everything(subject.repository);
      let round = 0;
      const { seen } = await pageThrough(
        subject.repository,
        { limit: 9, sort: 'createdAt', order: 'desc', categories: [], words: [] },
        async () => {
          round += 1;
          const victim = before[(round * 7) % before.length];
          await subject.repository.upsert([
            draft(`NEW-${round}-a`, { createdAt: new Date(Date.UTC(2027, 0, round)) }),
            draft(`NEW-${round}-b`, { createdAt: new Date(Date.UTC(2025, 0, round)) }),
            { ...victim, version: victim.version + 1, stock: victim.stock + 100, createdAt: undefined, updatedAt: undefined },
          ]);
        },
      );
      const ids = seen.map((p) => p.id);
      expect(new Set(ids).size, 'no product repeats').to.equal(ids.length);
      for (const product of before) expect(ids, `product ${product.id}`).to.include(product.id);
    });

    it('list, when searching, matches word prefixes case-insensitively and never the inside of a word', async () => {
      await subject.repository.upsert([
        draft('SEARCH-1', { name: 'Kokum Sherbet 500 ml', description: 'Tangy summer cooler from Konkan.' }),
      ]);
      const find = async (words: string[]) =>
        (await pageThrough(subject.repository, { limit: 50, sort: 'name', order: 'asc', categories: [], words })).seen.map((p) => p.sku);
      expect(await find(['kok'])).to.include('SEARCH-1');
      expect(await find(['konk', 'sher'])).to.include('SEARCH-1');
      expect(await find(['cooler'])).to.include('SEARCH-1');
      expect(await find(['okum'])).to.not.include('SEARCH-1');
      expect(await find(['herbet'])).to.not.include('SEARCH-1');
      expect(await find(['kokum', 'mango'])).to.not.include('SEARCH-1');
    });

    it('upsert, when the stored version is newer, ignores the older draft', async () => {
      await subject.repository.upsert([draft('VERSIONED', { version: 5, pricePaise: 500 })]);
      const changed = await subject.repository.upsert([draft('VERSIONED', { version: 4, pricePaise: 400 })]);
      const [stored] = (await everything(subject.repository)).filter((p) => p.sku === 'VERSIONED');
      expect(changed).to.equal(0);
      expect(stored).to.include({ version: 5, pricePaise: 500 });
    });

    it('upsert, when applied twice, changes nothing the second time', async () => {
      const drafts = [draft('TWICE-1', { version: 2 }), draft('TWICE-2', { version: 3 })];
      expect(await subject.repository.upsert(drafts)).to.equal(2);
      const first = (await everything(subject.repository)).filter((p) => p.sku.startsWith('TWICE'));
      expect(await subject.repository.upsert(drafts)).to.equal(0);
      const second = (await everything(subject.repository)).filter((p) => p.sku.startsWith('TWICE'));
      expect(second).to.deep.equal(first);
    });

    it('upsert, when two skus differ only in case, keeps two distinct products, alone or in one call', async () => {
      const skus = (products: readonly Product[]) =>
        products.filter((p) => p.sku.toLowerCase() === 'sku-a1' || p.sku.toLowerCase() === 'sku-b1');
      expect(await subject.repository.upsert([draft('SKU-A1', { pricePaise: 100 })])).to.equal(1);
      expect(await subject.repository.upsert([draft('sku-a1', { pricePaise: 200 })])).to.equal(1);
      expect(await subject.repository.upsert([draft('SKU-B1', { pricePaise: 300 }), draft('sku-b1', { pricePaise: 400 })])).to.equal(2);
      expect(await subject.repository.upsert([draft('sku-a1', { pricePaise: 250, version: 2 })])).to.equal(1);
      const stored = skus(await everything(subject.repository));
      expect(stored.map((p) => [p.sku, p.pricePaise]).sort()).to.deep.equal([
        ['SKU-A1', 100],
        ['SKU-B1', 300],
        ['sku-a1', 250],
        ['sku-b1', 400],
      ]);
      expect(new Set(stored.map((p) => p.id)).size).to.equal(4);
    });

    it('upsert, when a newer version renames a product, makes search follow the new name only', async () => {
      await subject.repository.upsert([draft('RENAMED', { name: 'Sapota 1 kg', version: 1 })]);
      await subject.repository.upsert([draft('RENAMED', { name: 'Chikoo 1 kg', version: 2 })]);
      const find = async (word: string) =>
        (await pageThrough(subject.repository, { limit: 50, sort: 'name', order: 'asc', categories: [], words: [word] })).seen.map(
          (p) => p.sku,
        );
      expect(await find('chik')).to.include('RENAMED');
      expect(await find('sapota')).to.not.include('RENAMED');
    });
  });
}
