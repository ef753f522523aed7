import { expect } from 'chai';
import { ReadThroughCache } from '../../src/application/read-through-cache.js';
import { InMemoryCatalogCache } from '../../src/adapters/in-memory/in-memory-catalog-cache.js';
import { WorkCancelledError } from '../../src/domain/errors/work-cancelled-error.js';
import type { CatalogCache } from '../../src/domain/ports/catalog-cache.js';
import type { Logger } from '../../src/domain/ports/logger.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const settings = { freshMs: 1_000, staleMs: 10_000, jitter: 0, leaseMs: 5_000 };

function harness(cache?: CatalogCache, graceMs = 0) {
  let now = 1_000_000;
  const clock = { now: () => now };
  const store = cache ?? new InMemoryCatalogCache(clock.now, { graceMs });
  const reader = new ReadThroughCache(store, clock, silent, settings);
  return { reader, store, advance: (ms: number) => (now += ms) };
}

const TAGS = ['p:A'];
const built = (value: string) => ({ value, tags: TAGS });

function counted(value: () => string, delayMs = 5) {
  const build = async () => {
    build.calls += 1;
    // A timer of 0 still waits about a millisecond: 0 means the next turn of the event loop.
    await new Promise((resolve) => (delayMs > 0 ? setTimeout(resolve, delayMs) : setImmediate(resolve)));
    return built(value());
  };
  build.calls = 0;
  return build;
}

const unreachable: CatalogCache = {
  lookup: () => Promise.reject(new Error('ECONNREFUSED')),
  store: () => Promise.reject(new Error('ECONNREFUSED')),
  invalidate: () => Promise.reject(new Error('ECONNREFUSED')),
  invalidateAll: () => Promise.reject(new Error('ECONNREFUSED')),
  tryLease: () => Promise.reject(new Error('ECONNREFUSED')),
};

describe('ReadThroughCache', () => {
  it('get, when 200 callers miss the same key at once, builds it once', async () => {
    const { reader } = harness();
    const build = counted(() => 'page');
    const results = await Promise.all(Array.from({ length: 200 }, () => reader.get('k', build)));
    expect(build.calls).to.equal(1);
    expect(results.every((r) => r.value === 'page' && r.status === 'MISS')).to.equal(true);
    expect((await reader.get('k', build)).status).to.equal('HIT');
  });

  it('get, when the entry is stale, serves it at once and refreshes it in the background', async () => {
    const { reader, advance } = harness();
    let version = 1;
    const build = counted(() => `v${version}`);
    await reader.get('k', build);
    version = 2;
    advance(1_500);
    const stale = await reader.get('k', build);
    expect(stale).to.deep.equal({ value: 'v1', status: 'STALE' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await reader.get('k', build)).to.deep.equal({ value: 'v2', status: 'HIT' });
  });

  it('get, when the entry is stale and the database fails, keeps serving the stale entry', async () => {
    const { reader, advance } = harness();
    await reader.get('k', async () => built('cached'));
    advance(2_000);
    const failing = async () => {
      throw new Error('database down');
    };
    expect(await reader.get('k', failing)).to.deep.equal({ value: 'cached', status: 'STALE' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await reader.get('k', failing)).value).to.equal('cached');
  });

  it('get, when nothing is cached and the build fails, rejects with the build error and caches nothing', async () => {
    const { reader } = harness();
    await expect(reader.get('k', async () => Promise.reject(new Error('boom')))).to.be.rejectedWith('boom');
    expect((await reader.get('k', async () => built('ok'))).status).to.equal('MISS');
  });

  it('get, when the cache store is unreachable, builds from the source every time instead of failing', async () => {
    const { reader } = harness(unreachable);
    const build = counted(() => 'fresh');
    expect(await reader.get('k', build)).to.deep.equal({ value: 'fresh', status: 'MISS' });
    expect(await reader.get('k', build)).to.deep.equal({ value: 'fresh', status: 'MISS' });
    expect(build.calls).to.equal(2);
  });

  it('get, when the catalogue was invalidated during a build, does not let the old result become reachable', async () => {
    const { reader, store } = harness();
    const slow = counted(() => 'before the write', 20);
    const pending = reader.get('k', slow);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.invalidate(TAGS);
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await reader.get('k', async () => built('after the write'))).value).to.equal('after the write');
  });

  it('get, when a write lands while a build is in flight, gives later callers a build that started after the write', async () => {
    const { reader, store } = harness();
    let stock = 5;
    const build = counted(() => `stock ${stock}`, 20);
    const early = reader.get('k', build);
    await new Promise((resolve) => setTimeout(resolve, 5));
    stock = 4;
    await store.invalidate(TAGS);
    const late = await reader.get('k', build);
    await early;
    expect(late.value).to.equal('stock 4');
    expect(build.calls).to.equal(2);
  });

  it('get, when the request that started a shared build is cancelled, lets the joiners build for themselves', async () => {
    const { reader } = harness();
    const cancelled = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new WorkCancelledError('the client left');
    };
    const starter = reader.get('k', cancelled);
    const joiner = reader.get('k', async () => built('built by the joiner'));
    await expect(starter).to.be.rejectedWith(WorkCancelledError);
    expect((await joiner).value).to.equal('built by the joiner');
  });

  it('get, when a write invalidated another tag during a build, stores the result', async () => {
    const { reader, store } = harness();
    const slow = counted(() => 'unaffected', 20);
    const pending = reader.get('k', slow);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.invalidate(['p:B']);
    await pending;
    expect(await reader.get('k', slow)).to.deep.equal({ value: 'unaffected', status: 'HIT' });
  });

  it('get, when a write invalidated the entry less than the grace ago, serves it stale and rebuilds it once in the background', async () => {
    const { reader, store, advance } = harness(undefined, 500);
    let price = '10.00';
    const build = counted(() => price);
    await reader.get('k', build);
    price = '20.00';
    await store.invalidate(TAGS);
    advance(400);
    const answers = await Promise.all(Array.from({ length: 20 }, () => reader.get('k', build)));
    expect(answers.every((a) => a.value === '10.00' && a.status === 'STALE')).to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(build.calls).to.equal(2);
    expect(await reader.get('k', build)).to.deep.equal({ value: '20.00', status: 'HIT' });
  });

  it('get, when a write invalidated the entry longer than the grace ago, rebuilds it before answering', async () => {
    const { reader, store, advance } = harness(undefined, 500);
    let price = '10.00';
    await reader.get('k', async () => built(price));
    price = '20.00';
    await store.invalidate(TAGS);
    advance(501);
    expect(await reader.get('k', async () => built(price))).to.deep.equal({ value: '20.00', status: 'MISS' });
  });

  it('get, when two instances find an entry a write invalidated within the grace, lets one of them rebuild it', async () => {
    let now = 1_000_000;
    const clock = { now: () => now };
    const store = new InMemoryCatalogCache(clock.now, { graceMs: 500 });
    const instances = [0, 1].map(() => new ReadThroughCache(store, clock, silent, settings));
    let price = '10.00';
    const build = counted(() => price);
    await instances[0].get('k', build);
    price = '20.00';
    await store.invalidate(TAGS);
    now += 100;
    const answers = await Promise.all(instances.flatMap((instance) => [instance.get('k', build), instance.get('k', build)]));
    expect(answers.map((a) => a.status)).to.deep.equal(['STALE', 'STALE', 'STALE', 'STALE']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(build.calls, 'the first build and one rebuild').to.equal(2);
    for (const instance of instances) expect(await instance.get('k', build)).to.deep.equal({ value: '20.00', status: 'HIT' });
  });

  it('get, when the entry is past its stale window, rebuilds it', async () => {
    const { reader, advance } = harness();
    await reader.get('k', async () => built('old'));
    advance(settings.freshMs + settings.staleMs + 1);
    expect(await reader.get('k', async () => built('new'))).to.deep.equal({ value: 'new', status: 'MISS' });
  });

  it('get, with second-sight admission, asks the shared cache and stores only from the second request on', async () => {
    const lookups: string[] = [];
    const store = new InMemoryCatalogCache();
    const { reader } = harness({
      ...store,
      lookup: (key) => (lookups.push(key), store.lookup(key)),
      store: store.store.bind(store),
      invalidate: store.invalidate.bind(store),
      invalidateAll: store.invalidateAll.bind(store),
      tryLease: store.tryLease.bind(store),
    });
    const build = counted(() => 'deep page');
    const once = { admit: 'second-sight' } as const;
    expect((await reader.get('k', build, once)).status).to.equal('MISS');
    expect((await reader.get('k', build, once)).status).to.equal('MISS');
    expect((await reader.get('k', build, once)).status).to.equal('HIT');
    expect((await reader.get('other', build, once)).status).to.equal('MISS');
    expect(build.calls).to.equal(3);
    expect(lookups, 'no shared-cache lookup at first sight').to.deep.equal(['k', 'k']);
  });

  it('get, with second-sight admission, still builds concurrent misses of one key once', async () => {
    const { reader } = harness();
    const build = counted(() => 'deep page');
    const results = await Promise.all(Array.from({ length: 50 }, () => reader.get('k', build, { admit: 'second-sight' })));
    expect(build.calls).to.equal(1);
    expect(results.every((r) => r.value === 'deep page')).to.equal(true);
  });

  it('get, with second-sight admission, when the source fails at first sight, serves what the shared cache holds', async () => {
    const writer = harness();
    const { token } = await writer.store.lookup('k');
    await writer.store.store('k', token, { value: 'cached', tags: TAGS, freshUntil: Number.MAX_SAFE_INTEGER }, 60_000);
    const reader = new ReadThroughCache(writer.store, { now: () => 1_000_000 }, silent, settings);
    const down = async (): Promise<{ value: string; tags: string[] }> => {
      throw new Error('database down');
    };
    expect(await reader.get('k', down, { admit: 'second-sight' })).to.deep.equal({ value: 'cached', status: 'HIT' });
    let failure: unknown;
    await reader.get('absent', down, { admit: 'second-sight' }).catch((error) => (failure = error));
    expect((failure as Error).message).to.equal('database down');
  });

  it('get, with second-sight admission, forgets keys seen once when 10,000 others were seen since', async () => {
    const { reader } = harness();
    const build = counted(() => 'page', 0);
    const once = { admit: 'second-sight' } as const;
    await reader.get('first', build, once);
    for (let i = 0; i < 10_000; i += 1) await reader.get(`key-${i}`, build, once);
    expect((await reader.get('first', build, once)).status).to.equal('MISS');
    expect((await reader.get('first', build, once)).status).to.equal('MISS');
    expect((await reader.get('first', build, once)).status).to.equal('HIT');
  });
});
