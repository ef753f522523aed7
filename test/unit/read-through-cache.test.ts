import { expect } from 'chai';
import { ReadThroughCache } from '../../src/application/read-through-cache.js';
import { InMemoryCatalogCache } from '../../src/adapters/in-memory/in-memory-catalog-cache.js';
import type { CatalogCache } from '../../src/domain/ports/catalog-cache.js';
import type { Logger } from '../../src/domain/ports/logger.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const settings = { freshMs: 1_000, staleMs: 10_000, jitter: 0, leaseMs: 5_000 };

function harness(cache?: CatalogCache) {
  let now = 1_000_000;
  const clock = { now: () => now };
  const store = cache ?? new InMemoryCatalogCache(clock.now);
  const reader = new ReadThroughCache(store, clock, silent, settings);
  return { reader, store, advance: (ms: number) => (now += ms) };
}

function counted(value: () => string, delayMs = 5) {
  const build = async () => {
    build.calls += 1;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return value();
  };
  build.calls = 0;
  return build;
}

const unreachable: CatalogCache = {
  lookup: () => Promise.reject(new Error('ECONNREFUSED')),
  store: () => Promise.reject(new Error('ECONNREFUSED')),
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
    await reader.get('k', async () => 'cached');
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
    expect((await reader.get('k', async () => 'ok')).status).to.equal('MISS');
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
    await store.invalidateAll();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await reader.get('k', async () => 'after the write')).value).to.equal('after the write');
  });

  it('get, when the entry is past its stale window, rebuilds it', async () => {
    const { reader, advance } = harness();
    await reader.get('k', async () => 'old');
    advance(settings.freshMs + settings.staleMs + 1);
    expect(await reader.get('k', async () => 'new')).to.deep.equal({ value: 'new', status: 'MISS' });
  });
});
