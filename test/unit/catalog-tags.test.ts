import { expect } from 'chai';
import { blindWriteTags, detailTags, listingTags, priceBucket, writeTags, type ProductFacts } from '../../src/domain/catalog-tags.js';
import type { KeysetPosition, ProductQuery } from '../../src/domain/product-query.js';

const ghee: ProductFacts = {
  sku: 'GHEE-1',
  name: 'Desi Ghee',
  description: 'Slow-cooked',
  category: 'dairy',
  pricePaise: 50_000,
  stock: 5,
  live: true,
};
const query = (fields: Partial<ProductQuery> = {}): ProductQuery => ({
  limit: 20,
  sort: 'createdAt',
  order: 'desc',
  categories: [],
  words: [],
  ...fields,
});
const tagsOf = (fields: Partial<ProductQuery>, items: ProductFacts[] = [], next: KeysetPosition | null = null) =>
  listingTags({ query: query(fields), items, next });
const bands = (scope: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `price:${scope}:${from + i}`);

describe('catalogue cache tags', () => {
  it('priceBucket, for prices, gives four bands per doubling from 1 rupee, capped at both ends', () => {
    expect([priceBucket(-Infinity), priceBucket(0), priceBucket(100), priceBucket(200), priceBucket(283), priceBucket(400)]).to.deep.equal([
      0, 0, 0, 4, 6, 8,
    ]);
    expect(priceBucket(Infinity)).to.equal(63);
    expect(priceBucket(1e15)).to.equal(63);
  });

  it('detailTags, for a product, is its product tag only', () => {
    expect(detailTags(ghee)).to.deep.equal(['p:GHEE-1']);
  });

  it('listingTags, for the newest-first first page, names every product shown, membership and the newest end', () => {
    expect(tagsOf({}, [ghee, { ...ghee, sku: 'MANGO-2' }], { value: 1, id: 1 })).to.deep.equal([
      'p:GHEE-1',
      'p:MANGO-2',
      'members:*',
      'created-head:*',
    ]);
  });

  it('listingTags, for a newest-first page behind a cursor, leaves the newest end out', () => {
    expect(tagsOf({ after: { value: 5, id: 5 } })).to.deep.equal(['members:*']);
  });

  it('listingTags, for an oldest-first page, names the newest end only on the last page', () => {
    expect(tagsOf({ order: 'asc' }, [], { value: 1, id: 1 })).to.deep.equal(['members:*']);
    expect(tagsOf({ order: 'asc' }, [], null)).to.deep.equal(['members:*', 'created-head:*']);
  });

  it('listingTags, when categories are requested, names each category and not *', () => {
    expect(tagsOf({ categories: ['dairy', 'fruit'] })).to.deep.equal([
      'members:dairy',
      'created-head:dairy',
      'members:fruit',
      'created-head:fruit',
    ]);
  });

  it('listingTags, when sorted by price, names the bands from where it starts to where the next page starts', () => {
    expect(tagsOf({ sort: 'price', order: 'asc' }, [], { value: 400, id: 1 })).to.deep.equal(['members:*', ...bands('*', 0, 8)]);
    expect(tagsOf({ sort: 'price', order: 'asc', after: { value: 400, id: 1 } }, [], { value: 800, id: 2 })).to.deep.equal([
      'members:*',
      ...bands('*', 8, 12),
    ]);
    expect(tagsOf({ sort: 'price', order: 'desc', after: { value: 800, id: 1 } }, [], { value: 400, id: 2 })).to.deep.equal([
      'members:*',
      ...bands('*', 8, 12),
    ]);
    expect(tagsOf({ sort: 'price', order: 'desc' }, [], null)).to.deep.equal(['members:*', ...bands('*', 0, 63)]);
  });

  it('listingTags, when filtered by price, names the bands of the filter, narrowed by a price sort', () => {
    expect(tagsOf({ minPricePaise: 400, maxPricePaise: 800 })).to.deep.equal(['members:*', ...bands('*', 8, 12)]);
    expect(tagsOf({ minPricePaise: 400, sort: 'price', order: 'asc' }, [], { value: 800, id: 1 })).to.deep.equal([
      'members:*',
      ...bands('*', 8, 12),
    ]);
    expect(tagsOf({ maxPricePaise: 400, sort: 'price', order: 'asc', after: { value: 800, id: 1 } })).to.deep.equal(['members:*']);
  });

  it('listingTags, for a search, names the first two letters of its longest word', () => {
    expect(tagsOf({ words: ['a', 'ghee'] }, [ghee])).to.deep.equal(['p:GHEE-1', 'members:*', 'q:*:gh']);
    expect(tagsOf({ words: ['g'] })).to.deep.equal(['members:*', 'q:*:g']);
  });

  it('listingTags, when sorted by name, names the name order', () => {
    expect(tagsOf({ sort: 'name', order: 'asc' })).to.deep.equal(['members:*', 'order-name:*']);
  });

  it('writeTags, on a stock change, is the product tag only', () => {
    expect(writeTags({ before: ghee, after: { ...ghee, stock: 4 } })).to.deep.equal(['p:GHEE-1']);
  });

  it('writeTags, on a price change, adds the band of the new price in its category and in *', () => {
    expect(writeTags({ before: ghee, after: { ...ghee, pricePaise: 400 } })).to.have.members(['p:GHEE-1', 'price:*:8', 'price:dairy:8']);
  });

  it('writeTags, on a creation, adds the newest end, its band, name order and the beginnings of its words', () => {
    expect(writeTags({ before: null, after: { ...ghee, description: 'Bilona' } })).to.have.members([
      'p:GHEE-1',
      ...['*', 'dairy'].flatMap((s) => [
        `created-head:${s}`,
        `price:${s}:35`,
        `order-name:${s}`,
        ...['d', 'de', 'g', 'gh', 'b', 'bi'].map((p) => `q:${s}:${p}`),
      ]),
    ]);
  });

  it('writeTags, on a deletion, is the product tag only (it leaves only pages that show it)', () => {
    expect(writeTags({ before: ghee, after: { ...ghee, live: false } })).to.deep.equal(['p:GHEE-1']);
  });

  it('writeTags, when a deleted product comes back, names membership of its category and of *', () => {
    const tags = writeTags({ before: { ...ghee, live: false }, after: ghee });
    expect(tags).to.include.members(['members:*', 'members:dairy']);
  });

  it('writeTags, on a move to another category, names membership of the new category only', () => {
    const tags = writeTags({ before: ghee, after: { ...ghee, category: 'sweets' } });
    expect(tags).to.have.members(['p:GHEE-1', 'members:sweets']);
  });

  it('writeTags, on a rename, names name order and the searches the new words can match', () => {
    const tags = writeTags({ before: ghee, after: { ...ghee, name: 'A2 Ghee' } });
    expect(tags).to.include.members(['order-name:*', 'order-name:dairy', 'q:*:a', 'q:*:a2', 'q:dairy:sl']);
    expect(tags.some((t) => t.startsWith('price:') || t.startsWith('members:') || t.startsWith('created-head:'))).to.equal(false);
  });

  it('writeTags, on a new description, names searches but not name order', () => {
    const tags = writeTags({ before: ghee, after: { ...ghee, description: 'Bilona' } });
    expect(tags).to.include('q:*:bi');
    expect(tags).to.not.include('order-name:*');
  });

  it('writeTags, on an upsert that repeats what is stored, is the product tag only', () => {
    expect(writeTags({ before: ghee, after: { ...ghee } })).to.deep.equal(['p:GHEE-1']);
  });

  it('writeTags, on a change to a product that is not listed (deleted before and after), is the product tag only', () => {
    const gone = { ...ghee, live: false };
    expect(writeTags({ before: gone, after: { ...gone, pricePaise: 1, name: 'x' } })).to.deep.equal(['p:GHEE-1']);
  });

  it('tags, for a category or words with separators or other scripts in them, stay free of commas, bars and spaces', () => {
    const odd = { ...ghee, category: 'Milk, Curd | Ghee', name: 'दूध, घी' };
    for (const tag of writeTags({ before: null, after: odd })) expect(tag).to.not.match(/[,| ]/);
    expect(writeTags({ before: null, after: odd })).to.include('created-head:milk%2C%20curd%20%7C%20ghee');
  });

  it('a search page, for any product that can enter it, shares a tag with the product creation', () => {
    const created = writeTags({ before: null, after: { ...ghee, name: 'Kesar Mango', description: 'Ratnagiri' } });
    for (const words of [['ke'], ['kesar'], ['k'], ['mango', 'rat'], ['ratnagiri']]) {
      const page = tagsOf({ words, sort: 'price', order: 'asc' }, [], null);
      expect(
        page.filter((t) => created.includes(t)),
        words.join(' '),
      ).to.not.be.empty;
    }
  });

  it('blindWriteTags, for a sync batch, names each product and the membership of its category and of *', () => {
    expect(
      blindWriteTags([
        { sku: 'A', category: 'dairy' },
        { sku: 'B', category: 'fruit' },
      ]),
    ).to.have.members(['p:A', 'p:B', 'members:*', 'members:dairy', 'members:fruit']);
  });
});
