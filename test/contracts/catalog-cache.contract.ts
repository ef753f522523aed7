import { expect } from 'chai';
import { detailTags, listingTags, writeTags, type ProductFacts } from '../../src/domain/catalog-tags.js';
import type { KeysetPosition } from '../../src/domain/product-query.js';
import type { CacheEntry, CatalogCache } from '../../src/domain/ports/catalog-cache.js';
import type { ProductQuery } from '../../src/domain/product-query.js';

export interface CatalogCacheSubject {
  readonly cache: CatalogCache;
  /** A second handle on the same store, as another instance would have (itself when the store is process-local). */
  readonly peer: CatalogCache;
  /** Resolves once every instance has heard of the last invalidation (near tiers hear of it by message). */
  propagated?(): Promise<void>;
  /** Loses everything the shared store holds, as a FLUSHDB or a restart without persistence does; absent for process-local stores. */
  flush?(): Promise<void>;
  cleanup(): Promise<void>;
}

const entry = (value: string, tags: readonly string[] = ['p:X']): CacheEntry => ({ value, tags, freshUntil: Date.now() + 60_000 });

const ghee: ProductFacts = {
  sku: 'GHEE',
  name: 'Desi Ghee',
  description: 'Slow-cooked',
  category: 'dairy',
  pricePaise: 50_000,
  stock: 5,
  live: true,
};
const paneer: ProductFacts = { ...ghee, sku: 'PANEER', name: 'Paneer' };
const mango: ProductFacts = { ...ghee, sku: 'MANGO', name: 'Kesar Mango', category: 'fruit' };

const listing = (fields: Partial<ProductQuery>): ProductQuery => ({
  limit: 20,
  sort: 'createdAt',
  order: 'desc',
  categories: [],
  words: [],
  ...fields,
});

const page = (query: Partial<ProductQuery>, items: ProductFacts[], next: KeysetPosition | null) =>
  listingTags({ query: listing(query), items, next });
const more = { value: 1, id: 1 };

/** The pages a small catalogue has cached, by what they show and where a product could enter them. */
const PAGES: Record<string, readonly string[]> = {
  'product:ghee': detailTags(ghee),
  'product:paneer': detailTags(paneer),
  'product:mango': detailTags(mango),
  'list:all': page({}, [ghee, paneer, mango], more),
  'list:dairy-page-2': page({ categories: ['dairy'], after: more }, [paneer], null),
  'list:dairy-by-price-page-2': page(
    { categories: ['dairy'], sort: 'price', order: 'asc', after: { value: 40_000, id: 1 } },
    [paneer],
    null,
  ),
  'list:fruit': page({ categories: ['fruit'] }, [mango], null),
  'list:fruit-by-price': page({ categories: ['fruit'], sort: 'price', order: 'asc' }, [mango], { value: 50_000, id: 3 }),
  'list:under-600-page-2': page({ maxPricePaise: 60_000, after: more }, [mango], null),
  'list:search-ghee': page({ words: ['ghee'] }, [ghee], null),
  'list:by-name': page({ sort: 'name', order: 'asc' }, [mango, paneer], more),
};

export interface CatalogCacheOptions {
  /** How long after an invalidation the entries it made unreachable are offered as `invalidated`. */
  readonly graceMs: number;
}

export function describeCatalogCacheContract(name: string, makeSubject: (options: CatalogCacheOptions) => Promise<CatalogCacheSubject>) {
  describe(`CatalogCache contract: ${name}`, () => {
    let subject: CatalogCacheSubject;

    beforeEach(async () => {
      subject = await makeSubject({ graceMs: 0 });
    });

    afterEach(() => subject.cleanup());

    const storeAll = async () => {
      const { token } = await subject.cache.lookup('any');
      for (const [key, tags] of Object.entries(PAGES)) {
        expect(await subject.cache.store(key, token, entry(key, tags), 60_000), key).to.equal(true);
      }
    };

    /** Applies `write` as ApplyPartnerEvent does, on the peer, and lists the pages still reachable from `cache`. */
    const reachableAfter = async (write: Parameters<typeof writeTags>[0]) => {
      await storeAll();
      await subject.peer.invalidate(writeTags(write));
      await subject.propagated?.();
      const reachable: string[] = [];
      for (const key of Object.keys(PAGES)) if ((await subject.cache.lookup(key)).entry?.value === key) reachable.push(key);
      return reachable;
    };

    it('lookup, when nothing was stored, returns no entry and a token to store under', async () => {
      const lookup = await subject.cache.lookup('list:a');
      expect(lookup.entry).to.equal(null);
      expect(lookup.token).to.be.a('string');
    });

    it('store, when given the looked-up token, makes the entry visible to every instance', async () => {
      const { token } = await subject.cache.lookup('list:a');
      const stored = entry('{"data":[]}\nwith a newline|and a bar', ['p:A', 'members:*']);
      expect(await subject.cache.store('list:a', token, stored, 60_000)).to.equal(true);
      expect((await subject.peer.lookup('list:a')).entry).to.deep.equal(stored);
    });

    it('invalidate, on a stock change, makes only the pages showing that product unreachable', async () => {
      expect(await reachableAfter({ before: ghee, after: { ...ghee, stock: 4 } })).to.deep.equal([
        'product:paneer',
        'product:mango',
        'list:dairy-page-2',
        'list:dairy-by-price-page-2',
        'list:fruit',
        'list:fruit-by-price',
        'list:under-600-page-2',
        'list:by-name',
      ]);
    });

    it('invalidate, on a price change, also reaches the pages whose price band the new price falls in', async () => {
      expect(await reachableAfter({ before: ghee, after: { ...ghee, pricePaise: 45_000 } })).to.deep.equal([
        'product:paneer',
        'product:mango',
        'list:dairy-page-2',
        'list:fruit',
        'list:fruit-by-price',
        'list:by-name',
      ]);
    });

    it('invalidate, on an upsert creating a product, reaches the newest end, its price band and name order, not other categories or searches', async () => {
      const created = { ...ghee, sku: 'BUTTER', name: 'White Butter' };
      expect(await reachableAfter({ before: null, after: created })).to.deep.equal([
        'product:ghee',
        'product:paneer',
        'product:mango',
        'list:dairy-page-2',
        'list:fruit',
        'list:fruit-by-price',
        'list:search-ghee',
      ]);
    });

    it('invalidate, on a deletion, reaches exactly the pages showing the product', async () => {
      expect(await reachableAfter({ before: mango, after: { ...mango, live: false } })).to.deep.equal([
        'product:ghee',
        'product:paneer',
        'list:dairy-page-2',
        'list:dairy-by-price-page-2',
        'list:search-ghee',
      ]);
    });

    it('invalidate, on a move to another category, reaches the pages showing it and every listing of the new category', async () => {
      expect(await reachableAfter({ before: mango, after: { ...mango, category: 'dairy' } })).to.deep.equal([
        'product:ghee',
        'product:paneer',
        'list:search-ghee',
      ]);
    });

    it('invalidate, on a rename, reaches name order and the searches the new name can match', async () => {
      expect(await reachableAfter({ before: paneer, after: { ...paneer, name: 'Ghee Paneer' } })).to.deep.equal([
        'product:ghee',
        'product:mango',
        'list:fruit',
        'list:fruit-by-price',
        'list:under-600-page-2',
      ]);
    });

    it('store, when one of its tags was invalidated after the token was read, is refused and never served', async () => {
      const { token } = await subject.cache.lookup('list:a');
      await subject.peer.invalidate(['p:GHEE']);
      await subject.propagated?.();
      expect(await subject.cache.store('list:a', token, entry('built before the write', ['p:GHEE', 'members:*']), 60_000)).to.equal(false);
      expect((await subject.cache.lookup('list:a')).entry).to.equal(null);
      expect((await subject.peer.lookup('list:a')).entry).to.equal(null);
    });

    it('store, when only other tags were invalidated after the token was read, keeps the entry', async () => {
      const { token } = await subject.cache.lookup('list:a');
      await subject.peer.invalidate(['p:MANGO']);
      await subject.propagated?.();
      expect(await subject.cache.store('list:a', token, entry('unaffected', ['p:GHEE']), 60_000)).to.equal(true);
      expect((await subject.peer.lookup('list:a')).entry?.value).to.equal('unaffected');
    });

    it('invalidateAll, when entries exist, makes every one of them unreachable and refuses tokens read before it', async () => {
      await storeAll();
      const { token } = await subject.cache.lookup('any');
      await subject.peer.invalidateAll();
      await subject.propagated?.();
      for (const key of Object.keys(PAGES)) expect((await subject.cache.lookup(key)).entry, key).to.equal(null);
      expect(await subject.cache.store('list:a', token, entry('before'), 60_000)).to.equal(false);
      const { token: after } = await subject.cache.lookup('any');
      expect(await subject.cache.store('list:a', after, entry('after'), 60_000)).to.equal(true);
    });

    it('store, with a token that is not one, is refused', async () => {
      expect(await subject.cache.store('list:a', 'garbage', entry('x'), 60_000)).to.equal(false);
      expect((await subject.cache.lookup('list:a')).entry).to.equal(null);
    });

    it('store, when the ttl has passed, no longer returns the entry', async () => {
      const { token } = await subject.cache.lookup('list:a');
      await subject.cache.store('list:a', token, entry('short-lived'), 30);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect((await subject.cache.lookup('list:a')).entry).to.equal(null);
    });

    it('store, when the store was flushed after the token was read and writes moved the sequence past it, is refused', async function () {
      if (!subject.flush) this.skip();
      const { token } = await subject.cache.lookup('list:a');
      await subject.peer.invalidate(['p:OTHER']);
      await subject.flush();
      for (let i = 0; i < 5; i += 1) await subject.peer.invalidate([`p:OTHER-${i}`]);
      await subject.propagated?.();
      expect(await subject.cache.store('list:a', token, entry('built before the flush', ['p:GHEE']), 60_000)).to.equal(false);
      expect((await subject.cache.lookup('list:a')).entry).to.equal(null);
    });

    it('lookup, when the store was flushed between two writes, never serves what the first write invalidated', async function () {
      if (!subject.flush) this.skip();
      const { token } = await subject.cache.lookup('product:ghee');
      await subject.cache.store('product:ghee', token, entry('price 10.00', ['p:GHEE']), 60_000);
      await subject.peer.invalidate(['p:GHEE']);
      await subject.flush();
      // A build that read the old price under the pre-flush token tries to store it after the flush.
      const late = await subject.cache.store('product:ghee', token, entry('price 10.00', ['p:GHEE']), 60_000);
      await subject.peer.invalidate(['p:GHEE']);
      await subject.propagated?.();
      expect(late).to.equal(false);
      expect((await subject.cache.lookup('product:ghee')).entry).to.equal(null);
      expect((await subject.peer.lookup('product:ghee')).entry).to.equal(null);
    });

    it('lookup, with no grace, never offers an invalidated entry', async () => {
      await storeAll();
      await subject.peer.invalidate(['p:GHEE']);
      await subject.propagated?.();
      expect(await subject.cache.lookup('product:ghee')).to.not.have.property('invalidated');
    });

    it('store, whether it stores or not, releases the rebuild lease on the key', async () => {
      expect(await subject.cache.tryLease('list:a', 60_000)).to.equal(true);
      const { token } = await subject.cache.lookup('list:a');
      await subject.cache.store('list:a', token, entry('rebuilt'), 60_000);
      expect(await subject.peer.tryLease('list:a', 60_000)).to.equal(true);
      await subject.peer.invalidate(['p:X']);
      expect(await subject.peer.store('list:a', token, entry('overtaken'), 60_000)).to.equal(false);
      expect(await subject.cache.tryLease('list:a', 60_000)).to.equal(true);
    });

    it('tryLease, when another instance holds the lease, refuses until it expires', async () => {
      expect(await subject.cache.tryLease('list:a', 50)).to.equal(true);
      expect(await subject.peer.tryLease('list:a', 50)).to.equal(false);
      expect(await subject.peer.tryLease('list:b', 50)).to.equal(true);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(await subject.peer.tryLease('list:a', 50)).to.equal(true);
    });
  });

  describe(`CatalogCache contract: ${name}, with a grace after invalidations`, () => {
    let subject: CatalogCacheSubject;
    const stored = entry('price 10.00', ['p:GHEE', 'members:*']);

    beforeEach(async () => {
      subject = await makeSubject({ graceMs: 60_000 });
      const { token } = await subject.cache.lookup('product:ghee');
      await subject.cache.store('product:ghee', token, stored, 60_000);
    });

    afterEach(() => subject.cleanup());

    const invalidate = async (tags: string[]) => {
      await subject.peer.invalidate(tags);
      await subject.propagated?.();
    };

    it('lookup, after an invalidation of one of its tags, offers the entry as invalidated on every instance, and no entry', async () => {
      await invalidate(['p:GHEE']);
      for (const instance of [subject.cache, subject.peer]) {
        const lookup = await instance.lookup('product:ghee');
        expect(lookup.entry).to.equal(null);
        expect(lookup.invalidated).to.deep.equal(stored);
      }
    });

    it('lookup, after one invalidation of each of two of its tags, offers the entry', async () => {
      await invalidate(['p:GHEE']);
      await invalidate(['members:*']);
      expect((await subject.cache.lookup('product:ghee')).invalidated?.value).to.equal('price 10.00');
    });

    it('lookup, when one of its tags was invalidated twice since it was built, offers nothing (the first one may be older than the grace)', async () => {
      await invalidate(['p:GHEE']);
      await invalidate(['p:GHEE']);
      expect(await subject.cache.lookup('product:ghee'))
        .to.include({ entry: null })
        .and.not.have.property('invalidated');
    });

    it('lookup, once the grace after the invalidation has passed, offers nothing', async () => {
      const short = await makeSubject({ graceMs: 30 });
      try {
        const { token } = await short.cache.lookup('list:short');
        await short.cache.store('list:short', token, entry('short', ['p:SHORT']), 60_000);
        await short.peer.invalidate(['p:SHORT']);
        await short.propagated?.();
        await new Promise((resolve) => setTimeout(resolve, 80));
        expect(await short.cache.lookup('list:short')).to.not.have.property('invalidated');
      } finally {
        await short.cleanup();
      }
    });

    it('lookup, after invalidateAll, never offers an entry stored before it', async () => {
      await subject.peer.invalidateAll();
      await subject.propagated?.();
      expect(await subject.cache.lookup('product:ghee')).to.not.have.property('invalidated');
    });

    it('lookup, when the store was flushed and an entry of the lost epoch is stored again late, never offers it', async function () {
      if (!subject.flush) this.skip();
      const { token } = await subject.cache.lookup('list:late');
      await subject.flush();
      await subject.cache.store('list:late', token, entry('built before the flush', ['p:GHEE']), 60_000);
      await invalidate(['p:GHEE']);
      expect(await subject.cache.lookup('list:late'))
        .to.deep.include({ entry: null })
        .and.not.have.property('invalidated');
    });

    it('store, when an invalidation overtook the build, returns false and replaces the older entry, offered as invalidated', async () => {
      const { token } = await subject.cache.lookup('product:ghee');
      await invalidate(['p:GHEE']);
      expect(await subject.cache.store('product:ghee', token, entry('price 20.00', ['p:GHEE']), 60_000)).to.equal(false);
      const lookup = await subject.peer.lookup('product:ghee');
      expect(lookup.entry).to.equal(null);
      expect(lookup.invalidated?.value).to.equal('price 20.00');
    });

    it('store, when an invalidation overtook the build, leaves an entry built after it in place', async () => {
      const { token: early } = await subject.cache.lookup('product:ghee');
      await invalidate(['p:GHEE']);
      const { token: late } = await subject.peer.lookup('product:ghee');
      expect(await subject.peer.store('product:ghee', late, entry('price 30.00', ['p:GHEE']), 60_000)).to.equal(true);
      expect(await subject.cache.store('product:ghee', early, entry('price 20.00', ['p:GHEE']), 60_000)).to.equal(false);
      expect((await subject.cache.lookup('product:ghee')).entry?.value).to.equal('price 30.00');
    });
  });
}
