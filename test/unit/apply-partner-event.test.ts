import { expect } from 'chai';
import { ApplyPartnerEvent } from '../../src/application/apply-partner-event.js';
import { InMemoryCatalogCache } from '../../src/adapters/in-memory/in-memory-catalog-cache.js';
import { InMemoryEventDeduplicator } from '../../src/adapters/in-memory/in-memory-event-deduplicator.js';
import { InMemoryProductEventStore } from '../../src/adapters/in-memory/in-memory-product-event-store.js';
import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import { EventInProgressError } from '../../src/domain/errors/event-in-progress-error.js';
import type { CatalogCache } from '../../src/domain/ports/catalog-cache.js';
import type { EventDeduplicator } from '../../src/domain/ports/event-deduplicator.js';
import type { Logger } from '../../src/domain/ports/logger.js';
import type { ProductEventStore } from '../../src/domain/ports/product-event-store.js';
import { priceChanged, stockChanged, upserted } from '../support/partner-events.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const settings = { claimLeaseMs: 30_000, doneRetentionMs: 72 * 3_600_000 };
const down = () => Promise.reject(new Error('ECONNREFUSED'));
const unreachableDeduplicator: EventDeduplicator = { claim: down, complete: down, release: down };

function harness(overrides: { deduplicator?: EventDeduplicator; store?: ProductEventStore; cache?: CatalogCache } = {}) {
  const products = new InMemoryProductRepository();
  const store = overrides.store ?? new InMemoryProductEventStore(products);
  const deduplicator = overrides.deduplicator ?? new InMemoryEventDeduplicator();
  const cache = overrides.cache ?? new InMemoryCatalogCache();
  const useCase = new ApplyPartnerEvent(deduplicator, store, cache, silent, settings);
  const generation = async () => (await cache.lookup('any')).token;
  return { useCase, store, deduplicator, cache, generation };
}

describe('ApplyPartnerEvent', () => {
  it('execute, when the event is new, applies it, marks it done and invalidates the catalogue cache', async () => {
    const { useCase, store, deduplicator, generation } = harness();
    const before = await generation();
    expect(await useCase.execute(upserted('A', 1))).to.equal('applied');
    expect((await store.apply(upserted('A', 1))).outcome, 'the store recorded it').to.equal('duplicate');
    expect(await deduplicator.claim(upserted('A', 1).id, 1_000)).to.deep.equal({ status: 'done' });
    expect(await generation()).to.not.equal(before);
  });

  it('execute, when the deduplicator knows the event is done, answers duplicate without asking the store', async () => {
    const store: ProductEventStore = { apply: () => Promise.reject(new Error('must not be called')) };
    const deduplicator = new InMemoryEventDeduplicator();
    await deduplicator.complete('evt_done', 60_000);
    const { useCase } = harness({ store, deduplicator });
    expect(await useCase.execute({ ...upserted('A', 1), id: 'evt_done' })).to.equal('duplicate');
  });

  it('execute, when another delivery holds the event, throws EventInProgressError with whole seconds to wait', async () => {
    const deduplicator = new InMemoryEventDeduplicator();
    await deduplicator.claim(upserted('A', 1).id, 2_500);
    const { useCase, store } = harness({ deduplicator });
    const error = await useCase.execute(upserted('A', 1)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(EventInProgressError);
    expect((error as EventInProgressError).retryAfterSeconds).to.equal(3);
    expect((await store.apply(upserted('A', 1))).outcome, 'the store never saw it').to.equal('applied');
  });

  it('execute, when the store fails, releases the claim so the next delivery can apply the event', async () => {
    const products = new InMemoryProductRepository();
    const real = new InMemoryProductEventStore(products);
    let failures = 1;
    const flaky: ProductEventStore = {
      apply: (event) => (failures-- > 0 ? Promise.reject(new Error('deadlock')) : real.apply(event)),
    };
    const { useCase } = harness({ store: flaky });
    await expect(useCase.execute(upserted('A', 1))).to.be.rejectedWith('deadlock');
    expect(await useCase.execute(upserted('A', 1))).to.equal('applied');
  });

  it('execute, when the deduplicator is unreachable, still applies each event once through the store', async () => {
    const { useCase } = harness({ deduplicator: unreachableDeduplicator });
    expect(await useCase.execute(upserted('A', 1))).to.equal('applied');
    expect(await useCase.execute(upserted('A', 1))).to.equal('duplicate');
  });

  it('execute, when the deduplicator forgot an applied event, relies on the store and answers duplicate', async () => {
    const first = harness();
    await first.useCase.execute(upserted('A', 1));
    const forgetful = new ApplyPartnerEvent(new InMemoryEventDeduplicator(), first.store, first.cache, silent, settings);
    expect(await forgetful.execute(upserted('A', 1))).to.equal('duplicate');
  });

  it('execute, when a stock change is applied, invalidates only the pages showing that product', async () => {
    const { useCase, cache } = harness();
    await useCase.execute(upserted('A', 1));
    await useCase.execute(upserted('B', 1));
    const { token } = await cache.lookup('any');
    const page = (value: string, tags: string[]) => ({ value, tags, freshUntil: Number.MAX_SAFE_INTEGER });
    await cache.store('product:A', token, page('A', ['p:A']), 60_000);
    await cache.store('product:B', token, page('B', ['p:B']), 60_000);
    await cache.store('list:all', token, page('A and B', ['p:A', 'p:B', 'members:*']), 60_000);
    expect(await useCase.execute(stockChanged('A', 2))).to.equal('applied');
    expect((await cache.lookup('product:A')).entry).to.equal(null);
    expect((await cache.lookup('list:all')).entry).to.equal(null);
    expect((await cache.lookup('product:B')).entry?.value).to.equal('B');
  });

  it('execute, when the store had recorded the event but the deduplicator did not know, invalidates everything (the first delivery may have died before it could)', async () => {
    const { useCase, store, cache } = harness();
    await store.apply(stockChanged('A', 1));
    const { token } = await cache.lookup('any');
    await cache.store('product:A', token, { value: 'old stock', tags: ['p:A'], freshUntil: Number.MAX_SAFE_INTEGER }, 60_000);
    expect(await useCase.execute(stockChanged('A', 1))).to.equal('duplicate');
    expect((await cache.lookup('product:A')).entry).to.equal(null);
  });

  it('execute, when the event is superseded, leaves the catalogue cache alone', async () => {
    const { useCase, generation } = harness();
    await useCase.execute(upserted('A', 5));
    const before = await generation();
    expect(await useCase.execute(priceChanged('A', 4))).to.equal('superseded');
    expect(await generation()).to.equal(before);
  });

  it('execute, when the cache cannot be invalidated, still answers applied', async () => {
    const cache = new InMemoryCatalogCache();
    cache.invalidate = down;
    const { useCase } = harness({ cache });
    expect(await useCase.execute(upserted('A', 1))).to.equal('applied');
  });
});
