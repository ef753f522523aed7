import { expect } from 'chai';
import { requestScope, type RequestScope } from '../../src/adapters/shared/request-scope.js';
import { SingleFlightCache } from '../../src/adapters/shared/single-flight-cache.js';

function request(id: string) {
  const controller = new AbortController();
  const scope: RequestScope = { requestId: id, signal: controller.signal };
  return { scope, end: () => controller.abort(new Error(`${id} left`)) };
}

/** A load that exposes the scope it runs in and finishes when told to. */
function pendingLoad() {
  let finish!: (value: number) => void;
  let seen: RequestScope | undefined;
  const load = () => {
    seen = requestScope.current();
    return new Promise<number>((resolve) => (finish = resolve));
  };
  return { load, finish: (value: number) => finish(value), scope: () => seen };
}

describe('SingleFlightCache shared loads', () => {
  it('SingleFlightCache, when the request that started a load leaves while another waits on it, keeps the load running', async () => {
    const cache = new SingleFlightCache<number>(0, 10);
    const starter = request('a');
    const joiner = request('b');
    const { load, finish, scope } = pendingLoad();
    const first = requestScope.run(starter.scope, () => cache.get('k', load));
    const second = requestScope.run(joiner.scope, () => cache.get('k', load));

    starter.end();
    expect(scope()?.signal.aborted).to.equal(false);
    finish(7);
    expect(await first).to.equal(7);
    expect(await second).to.equal(7);
  });

  it('SingleFlightCache, when every request waiting on a load has left, cancels it with the last reason', () => {
    const cache = new SingleFlightCache<number>(0, 10);
    const starter = request('a');
    const joiner = request('b');
    const { load, scope } = pendingLoad();
    void requestScope.run(starter.scope, () => cache.get('k', load)).catch(() => undefined);
    void requestScope.run(joiner.scope, () => cache.get('k', load)).catch(() => undefined);

    joiner.end();
    expect(scope()?.signal.aborted).to.equal(false);
    starter.end();
    expect(scope()?.signal.aborted).to.equal(true);
    expect((scope()?.signal.reason as Error).message).to.equal('a left');
    expect(scope()?.requestId).to.equal('a');
  });

  it('SingleFlightCache, when a caller outside any request joins, never cancels the load', () => {
    const cache = new SingleFlightCache<number>(0, 10);
    const starter = request('a');
    const { load, scope } = pendingLoad();
    void requestScope.run(starter.scope, () => cache.get('k', load)).catch(() => undefined);
    void cache.get('k', load).catch(() => undefined);

    starter.end();
    expect(scope()?.signal.aborted).to.equal(false);
  });

  it('SingleFlightCache, when a load starts outside any request, runs it with no request scope', async () => {
    const cache = new SingleFlightCache<number>(0, 10);
    const { load, finish, scope } = pendingLoad();
    const result = cache.get('k', load);
    finish(1);
    expect(await result).to.equal(1);
    expect(scope()).to.equal(undefined);
  });
});
