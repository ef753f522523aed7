import { expect } from 'chai';
import type { PartnerEvent } from '../../src/domain/partner-event.js';
import type { ProductEventStore } from '../../src/domain/ports/product-event-store.js';
import type { ProductRepository } from '../../src/domain/ports/product-repository.js';
import type { Product } from '../../src/domain/product.js';
import { deleted, priceChanged, seeded, shuffled, stockChanged, unknownTypeEvent, upserted } from '../support/partner-events.js';

export interface ProductEventStoreSubject {
  readonly store: ProductEventStore;
  /** The catalogue the store writes to. */
  readonly products: ProductRepository;
  cleanup(): Promise<void>;
}

const EVERYTHING = { limit: 1_000, sort: 'name', order: 'asc', categories: [], words: [] } as const;

async function listed(products: ProductRepository, sku: string): Promise<Product | undefined> {
  return (await products.list(EVERYTHING)).items.find((p) => p.sku === sku);
}

async function searchFinds(products: ProductRepository, word: string, sku: string) {
  return (await products.list({ ...EVERYTHING, words: [word] })).items.some((p) => p.sku === sku);
}

const state = (p: Product | undefined) =>
  p && { name: p.name, description: p.description, category: p.category, pricePaise: p.pricePaise, stock: p.stock, version: p.version };

/** A product's history: created, changed, deleted, created again, changed again. */
function history(sku: string): PartnerEvent[] {
  return [
    upserted(sku, 1),
    priceChanged(sku, 2),
    stockChanged(sku, 3),
    upserted(sku, 4, { name: 'Desi Cow Ghee renamed' }),
    deleted(sku, 5),
    upserted(sku, 6),
    priceChanged(sku, 7),
    stockChanged(sku, 8),
  ];
}

export function describeProductEventStoreContract(name: string, makeSubject: () => Promise<ProductEventStoreSubject>) {
  describe(`ProductEventStore contract: ${name}`, function () {
    this.timeout(60_000);
    let subject: ProductEventStoreSubject;
    let store: ProductEventStore;
    let products: ProductRepository;

    before(async () => {
      subject = await makeSubject();
      ({ store, products } = subject);
    });

    after(() => subject.cleanup());

    it('apply, when an upsert names a new sku, creates the product with every field and records the event', async () => {
      const event = upserted('NEW-1', 3, { name: 'Kesar Mango 1 kg', category: 'fruit', pricePaise: 24_950, stock: 7 });
      expect((await store.apply(event)).outcome).to.equal('applied');
      const product = await listed(products, 'NEW-1');
      expect(product).to.include({ name: 'Kesar Mango 1 kg', category: 'fruit', pricePaise: 24_950, stock: 7, version: 3 });
      expect(await products.findById(product!.id)).to.deep.equal(product);
      expect((await store.apply(event)).outcome, 'recorded: a second delivery is a duplicate').to.equal('duplicate');
    });

    it('apply, when the same event id arrives again, answers duplicate and writes nothing', async () => {
      await store.apply(upserted('DUP-1', 1));
      const before = await listed(products, 'DUP-1');
      const again = { ...priceChanged('DUP-1', 9), id: upserted('DUP-1', 1).id };
      expect((await store.apply(again)).outcome).to.equal('duplicate');
      expect(await listed(products, 'DUP-1')).to.deep.equal(before);
      expect(before).to.include({ version: 1, pricePaise: 50_001 });
    });

    it('apply, when an older version arrives after a newer one, records it as superseded and keeps the newer state', async () => {
      await store.apply(upserted('OLD-1', 5));
      const late = upserted('OLD-1', 4, { name: 'Stale name' });
      expect((await store.apply(late)).outcome).to.equal('superseded');
      expect((await store.apply(priceChanged('OLD-1', 5))).outcome).to.equal('superseded');
      expect(await listed(products, 'OLD-1')).to.include({ name: 'Desi Cow Ghee v5', pricePaise: 50_005, version: 5 });
      expect((await store.apply(late)).outcome, 'recorded: a second delivery is a duplicate').to.equal('duplicate');
    });

    it('apply, when a partial change arrives before the product is described, keeps it hidden, then merges it in', async () => {
      expect((await store.apply(priceChanged('EARLY-1', 2, 12_345))).outcome).to.equal('applied');
      expect(await listed(products, 'EARLY-1')).to.equal(undefined);
      expect((await store.apply(upserted('EARLY-1', 1))).outcome).to.equal('applied');
      expect(await listed(products, 'EARLY-1')).to.include({ name: 'Desi Cow Ghee v1', pricePaise: 12_345, stock: 11, version: 2 });
    });

    it('apply, when a late upsert meets newer partial changes, fills in only the parts nothing newer wrote', async () => {
      await store.apply(upserted('MERGE-1', 1));
      await store.apply(stockChanged('MERGE-1', 3, 42));
      expect((await store.apply(upserted('MERGE-1', 2, { name: 'Ghee v2' }))).outcome).to.equal('applied');
      expect(await listed(products, 'MERGE-1')).to.include({ name: 'Ghee v2', pricePaise: 50_002, stock: 42, version: 3 });
    });

    it('apply, when a product is deleted, removes it from list, search and findById', async () => {
      await store.apply(upserted('DEL-1', 1, { name: 'Zanzibar Clove Honey' }));
      const { id } = (await listed(products, 'DEL-1'))!;
      expect(await searchFinds(products, 'zanzibar', 'DEL-1')).to.equal(true);
      expect((await store.apply(deleted('DEL-1', 2))).outcome).to.equal('applied');
      expect(await listed(products, 'DEL-1')).to.equal(undefined);
      expect(await products.findById(id)).to.equal(null);
      expect(await searchFinds(products, 'zanzibar', 'DEL-1')).to.equal(false);
    });

    it('apply, when an upsert older than the deletion arrives late, does not bring the product back; a newer one does', async () => {
      await store.apply(upserted('DEL-2', 1));
      await store.apply(deleted('DEL-2', 3));
      await store.apply(upserted('DEL-2', 2));
      expect(await listed(products, 'DEL-2')).to.equal(undefined);
      expect((await store.apply(upserted('DEL-2', 4, { name: 'Ghee is back' }))).outcome).to.equal('applied');
      expect(await listed(products, 'DEL-2')).to.include({ name: 'Ghee is back', version: 4 });
      expect(await searchFinds(products, 'back', 'DEL-2')).to.equal(true);
    });

    it('apply, when a deletion comes first for a sku never seen, leaves a tombstone no older upsert lifts', async () => {
      expect((await store.apply(deleted('DEL-3', 5))).outcome).to.equal('applied');
      expect((await store.apply(upserted('DEL-3', 4))).outcome).to.equal('applied');
      expect(await listed(products, 'DEL-3')).to.equal(undefined);
    });

    it('apply, when it changes a product, reports the product before and after; otherwise no write', async () => {
      const created = await store.apply(upserted('FACTS-1', 1, { name: 'Amla Candy', category: 'snacks', pricePaise: 9_900, stock: 4 }));
      expect(created.write).to.deep.equal({
        before: null,
        after: {
          sku: 'FACTS-1',
          name: 'Amla Candy',
          description: created.write!.after.description,
          category: 'snacks',
          pricePaise: 9_900,
          stock: 4,
          live: true,
        },
      });
      const restocked = await store.apply(stockChanged('FACTS-1', 2, 9));
      expect(restocked.write?.before).to.include({ stock: 4, live: true });
      expect(restocked.write?.after).to.include({ stock: 9, pricePaise: 9_900, category: 'snacks', live: true });
      const removed = await store.apply(deleted('FACTS-1', 3));
      expect(removed.write?.before).to.include({ live: true });
      expect(removed.write?.after).to.include({ live: false });
      const late = await store.apply({ ...stockChanged('FACTS-1', 2, 1), id: 'evt_facts_late' });
      expect(late).to.deep.equal({ outcome: 'superseded', write: null });
    });

    it('apply, when the type is unknown, records it as ignored and changes nothing', async () => {
      const before = (await products.list(EVERYTHING)).items;
      const event = unknownTypeEvent('evt_unknown_1');
      expect((await store.apply(event)).outcome).to.equal('ignored');
      expect((await store.apply(event)).outcome).to.equal('duplicate');
      expect((await products.list(EVERYTHING)).items).to.deep.equal(before);
    });

    it('apply, when a product is renamed, keeps search in step with the new name', async () => {
      await store.apply(upserted('NAME-1', 1, { name: 'Kokum Sherbet', description: 'Konkan cooler' }));
      await store.apply(upserted('NAME-1', 2, { name: 'Jaggery Cubes', description: 'Kolhapur' }));
      expect(await searchFinds(products, 'kokum', 'NAME-1')).to.equal(false);
      expect(await searchFinds(products, 'jagg', 'NAME-1')).to.equal(true);
      expect(await searchFinds(products, 'kolhap', 'NAME-1')).to.equal(true);
    });

    it('apply, when two event ids differ only in case, treats them as two events', async () => {
      await store.apply({ ...upserted('CASE-1', 1), id: 'evt_Case' });
      expect((await store.apply({ ...upserted('CASE-1', 2), id: 'evt_case' })).outcome).to.equal('applied');
    });

    it('apply, when two skus differ only in case, creates and changes two distinct products', async () => {
      expect((await store.apply(upserted('SKU-A1', 1))).outcome).to.equal('applied');
      expect((await store.apply(upserted('sku-a1', 1))).outcome).to.equal('applied');
      expect((await store.apply(priceChanged('sku-a1', 2, 12_345))).outcome).to.equal('applied');
      const upper = await listed(products, 'SKU-A1');
      const lower = await listed(products, 'sku-a1');
      expect(upper).to.include({ pricePaise: 50_001, version: 1 });
      expect(lower).to.include({ pricePaise: 12_345, version: 2 });
      expect(upper!.id).to.not.equal(lower!.id);
    });

    it('apply, when a product history arrives in any order with duplicates, ends in the state of version order', async () => {
      await applyAll(store, history('ORDER-REF'));
      const expected = state(await listed(products, 'ORDER-REF'));
      expect(expected).to.include({ version: 8, pricePaise: 70_007, stock: 108 });
      const random = seeded(7);
      for (let round = 0; round < 12; round += 1) {
        const sku = `ORDER-${round}`;
        const events = history(sku);
        for (const event of shuffled([...events, ...events.slice(0, 3)], random)) await store.apply(event);
        expect(state(await listed(products, sku)), `round ${round}`).to.deep.equal(expected);
      }
    });

    it('apply, when deliveries of one event race, applies it exactly once', async () => {
      const event = upserted('RACE-1', 1);
      const outcomes = (await Promise.all(Array.from({ length: 12 }, () => store.apply(event)))).map((r) => r.outcome);
      expect(outcomes.filter((o) => o === 'applied')).to.have.length(1);
      expect(outcomes.filter((o) => o === 'duplicate')).to.have.length(11);
    });

    it('apply, when events for one new product race, applies each and ends in the state of version order', async () => {
      await applyAll(store, history('RACE-REF'));
      const events = history('RACE-2');
      const outcomes = await Promise.all(shuffled(events, seeded(3)).map((e) => store.apply(e)));
      expect(outcomes).to.not.include('duplicate');
      expect(state(await listed(products, 'RACE-2'))).to.deep.equal(state(await listed(products, 'RACE-REF')));
    });

    it('apply, when the catalogue wrote the product whole at a newer version, treats every part as that new', async () => {
      await store.apply(upserted('WHOLE-1', 1));
      const [current] = [(await listed(products, 'WHOLE-1'))!];
      await products.upsert([{ ...current, name: 'Synced whole', version: 5, createdAt: undefined, updatedAt: undefined }]);
      expect((await store.apply(priceChanged('WHOLE-1', 4))).outcome).to.equal('superseded');
      expect((await store.apply(stockChanged('WHOLE-1', 6, 77))).outcome).to.equal('applied');
      expect((await store.apply(priceChanged('WHOLE-1', 5))).outcome).to.equal('superseded');
      expect(await listed(products, 'WHOLE-1')).to.include({ name: 'Synced whole', pricePaise: 50_001, stock: 77, version: 6 });
    });

    it('upsert of the catalogue, when newer than a deletion, brings the product back; when older, does not', async () => {
      await store.apply(upserted('WHOLE-2', 1));
      const current = (await listed(products, 'WHOLE-2'))!;
      await store.apply(deleted('WHOLE-2', 3));
      const whole = { ...current, createdAt: undefined, updatedAt: undefined };
      expect(await products.upsert([{ ...whole, version: 2 }])).to.equal(0);
      expect(await listed(products, 'WHOLE-2')).to.equal(undefined);
      expect(await products.upsert([{ ...whole, name: 'Relisted ghee', version: 4 }])).to.equal(1);
      expect(await listed(products, 'WHOLE-2')).to.include({ name: 'Relisted ghee', version: 4 });
      expect(await products.findById(current.id)).to.include({ name: 'Relisted ghee' });
    });
  });
}

async function applyAll(store: ProductEventStore, events: readonly PartnerEvent[]) {
  for (const event of events) await store.apply(event);
}
