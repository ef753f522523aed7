import { expect } from 'chai';
import type { CatalogCache } from '../../src/domain/ports/catalog-cache.js';

export interface CatalogCacheSubject {
  readonly cache: CatalogCache;
  /** A second handle on the same store, as another instance would have (itself when the store is process-local). */
  readonly peer: CatalogCache;
  /** Resolves once every instance has heard of the last invalidation (near tiers hear of it by message). */
  propagated?(): Promise<void>;
  cleanup(): Promise<void>;
}

const entry = (value: string) => ({ value, freshUntil: Date.now() + 60_000 });

export function describeCatalogCacheContract(name: string, makeSubject: () => Promise<CatalogCacheSubject>) {
  describe(`CatalogCache contract: ${name}`, () => {
    let subject: CatalogCacheSubject;

    beforeEach(async () => {
      subject = await makeSubject();
    });

    afterEach(() => subject.cleanup());

    it('lookup, when nothing was stored, returns no entry and a generation to store under', async () => {
      const lookup = await subject.cache.lookup('list:a');
      expect(lookup.entry).to.equal(null);
      expect(lookup.generation).to.be.a('string');
    });

    it('store, when given the looked-up generation, makes the entry visible to every instance', async () => {
      const { generation } = await subject.cache.lookup('list:a');
      const stored = entry('{"data":[]}\nwith a newline|and a bar');
      await subject.cache.store('list:a', generation, stored, 60_000);
      expect((await subject.peer.lookup('list:a')).entry).to.deep.equal(stored);
    });

    it('invalidateAll, when entries exist, makes every one of them unreachable at once', async () => {
      const { generation } = await subject.cache.lookup('x');
      await subject.cache.store('list:a', generation, entry('a'), 60_000);
      await subject.cache.store('product:1', generation, entry('b'), 60_000);
      expect((await subject.cache.lookup('list:a')).entry?.value).to.equal('a');
      await subject.peer.invalidateAll();
      await subject.propagated?.();
      expect((await subject.cache.lookup('list:a')).entry).to.equal(null);
      expect((await subject.cache.lookup('product:1')).entry).to.equal(null);
    });

    it('store, when an invalidation happened after the lookup, leaves the entry unreachable', async () => {
      const { generation } = await subject.cache.lookup('list:a');
      await subject.peer.invalidateAll();
      await subject.propagated?.();
      await subject.cache.store('list:a', generation, entry('stale data'), 60_000);
      expect((await subject.cache.lookup('list:a')).entry).to.equal(null);
    });

    it('store, when the ttl has passed, no longer returns the entry', async () => {
      const { generation } = await subject.cache.lookup('list:a');
      await subject.cache.store('list:a', generation, entry('short-lived'), 30);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect((await subject.cache.lookup('list:a')).entry).to.equal(null);
    });

    it('tryLease, when another instance holds the lease, refuses until it expires', async () => {
      expect(await subject.cache.tryLease('list:a', 50)).to.equal(true);
      expect(await subject.peer.tryLease('list:a', 50)).to.equal(false);
      expect(await subject.peer.tryLease('list:b', 50)).to.equal(true);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(await subject.peer.tryLease('list:a', 50)).to.equal(true);
    });
  });
}
