import { expect } from 'chai';
import { blindWriteTags, detailTags, listingTags, writeTags, type ProductFacts } from '../../src/domain/catalog-tags.js';
import type { ProductQuery } from '../../src/domain/product-query.js';

const ghee: ProductFacts = { sku: 'GHEE-1', name: 'Desi Ghee', description: 'Slow-cooked', category: 'dairy', pricePaise: 50_000, stock: 5, live: true };
const query = (fields: Partial<ProductQuery> = {}): ProductQuery => ({ limit: 20, sort: 'createdAt', order: 'desc', categories: [], words: [], ...fields });

describe('catalogue cache tags', () => {
  it('detailTags, for a product, is its product tag only', () => {
    expect(detailTags(ghee)).to.deep.equal(['p:GHEE-1']);
  });

  it('listingTags, for an unfiltered listing, names every product shown and the membership of all categories', () => {
    expect(listingTags(query(), [ghee, { sku: 'MANGO-2' }])).to.deep.equal(['p:GHEE-1', 'p:MANGO-2', 'members:*']);
  });

  it('listingTags, when categories are requested, names each category and not *', () => {
    expect(listingTags(query({ categories: ['dairy', 'fruit'] }), [])).to.deep.equal(['members:dairy', 'members:fruit']);
  });

  it('listingTags, when sorted or filtered by price, adds the price order of each scope', () => {
    expect(listingTags(query({ sort: 'price' }), [])).to.deep.equal(['members:*', 'order-price:*']);
    expect(listingTags(query({ minPricePaise: 100, categories: ['dairy'] }), [])).to.deep.equal(['members:dairy', 'order-price:dairy']);
    expect(listingTags(query({ maxPricePaise: 100, sort: 'name' }), [])).to.include('order-price:*');
  });

  it('listingTags, for a search, depends on membership (names and descriptions decide matches)', () => {
    expect(listingTags(query({ words: ['ghee'] }), [ghee])).to.deep.equal(['p:GHEE-1', 'members:*']);
  });

  it('writeTags, on a stock change, is the product tag only', () => {
    expect(writeTags({ before: ghee, after: { ...ghee, stock: 4 } })).to.deep.equal(['p:GHEE-1']);
  });

  it('writeTags, on a price change, adds the price order of its category and of *', () => {
    expect(writeTags({ before: ghee, after: { ...ghee, pricePaise: 1 } })).to.have.members(['p:GHEE-1', 'order-price:*', 'order-price:dairy']);
  });

  it('writeTags, on a creation, adds membership and price order of its category and of *', () => {
    expect(writeTags({ before: null, after: ghee })).to.have.members([
      'p:GHEE-1', 'members:*', 'members:dairy', 'order-price:*', 'order-price:dairy',
    ]);
  });

  it('writeTags, on a deletion, adds membership of its category and of *, not price order', () => {
    expect(writeTags({ before: ghee, after: { ...ghee, live: false } })).to.have.members(['p:GHEE-1', 'members:*', 'members:dairy']);
  });

  it('writeTags, on a move to another category, names the membership of both categories', () => {
    expect(writeTags({ before: ghee, after: { ...ghee, category: 'sweets' } })).to.have.members([
      'p:GHEE-1', 'members:*', 'members:dairy', 'members:sweets',
    ]);
  });

  it('writeTags, on a rename or a new description, names membership (search and name order move)', () => {
    expect(writeTags({ before: ghee, after: { ...ghee, name: 'A2 Ghee' } })).to.include('members:dairy');
    expect(writeTags({ before: ghee, after: { ...ghee, description: 'Bilona' } })).to.include('members:*');
  });

  it('writeTags, on an upsert that repeats what is stored, is the product tag only', () => {
    expect(writeTags({ before: ghee, after: { ...ghee } })).to.deep.equal(['p:GHEE-1']);
  });

  it('writeTags, on a change to a product that is not listed (deleted before and after), is the product tag only', () => {
    const gone = { ...ghee, live: false };
    expect(writeTags({ before: gone, after: { ...gone, pricePaise: 1, name: 'x' } })).to.deep.equal(['p:GHEE-1']);
  });

  it('tags, for a category with separators in it, stay free of commas, bars and spaces', () => {
    const odd = { ...ghee, category: 'Milk, Curd | Ghee' };
    for (const tag of writeTags({ before: null, after: odd })) expect(tag).to.not.match(/[,| ]/);
    expect(writeTags({ before: null, after: odd })).to.include('members:milk%2C%20curd%20%7C%20ghee');
  });

  it('blindWriteTags, for a sync batch, unites each product as a creation with a new price', () => {
    expect(blindWriteTags([{ sku: 'A', category: 'dairy' }, { sku: 'B', category: 'fruit' }])).to.have.members([
      'p:A', 'p:B', 'members:*', 'members:dairy', 'members:fruit', 'order-price:*', 'order-price:dairy', 'order-price:fruit',
    ]);
  });
});
