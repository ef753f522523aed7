import { expect } from 'chai';
import sinon from 'sinon';
import { DeadlineExceededError } from '../../src/domain/errors/deadline-exceeded-error.js';
import { OverloadedError } from '../../src/domain/errors/overloaded-error.js';
import { WorkCancelledError } from '../../src/domain/errors/work-cancelled-error.js';
import { Bulkhead, type BulkheadOptions } from '../../src/adapters/shared/bulkhead.js';
import { OrdinaryTraffic } from '../../src/adapters/shared/request-traffic.js';

/** Work that runs until released, recording when it started. */
function gate(started: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    work: async () => {
      started.push(name);
      await done;
      return name;
    },
    release: () => release(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Bulkhead', () => {
  let clock: sinon.SinonFakeTimers;
  const options: BulkheadOptions = { name: 'search', slots: 2, maxQueue: 2, maxWaitMs: 1_000 };

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
  });
  afterEach(() => clock.restore());

  it('Bulkhead, when more work arrives than it has slots, runs `slots` at once and starts the rest in arrival order as slots free', async () => {
    const bulkhead = new Bulkhead(options);
    const started: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => gate(started, name));
    const results = [a, b, c, d].map((g) => bulkhead.run(g.work));
    await settle();
    expect(started).to.deep.equal(['a', 'b']);
    expect(bulkhead.load).to.deep.equal({ running: 2, waiting: 2 });
    b.release();
    await settle();
    expect(started).to.deep.equal(['a', 'b', 'c']);
    a.release();
    c.release();
    d.release();
    expect(await Promise.all(results)).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(bulkhead.load).to.deep.equal({ running: 0, waiting: 0 });
  });

  it('Bulkhead, when its queue is full, refuses the next caller at once with OverloadedError naming the bulkhead', async () => {
    const bulkhead = new Bulkhead(options);
    const started: string[] = [];
    const gates = ['a', 'b', 'c', 'd'].map((name) => gate(started, name));
    const running = gates.map((g) => bulkhead.run(g.work));
    const refused = await bulkhead.run(async () => 'e').catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(OverloadedError);
    expect((refused as OverloadedError).bulkhead).to.equal('search');
    gates.forEach((g) => g.release());
    await Promise.all(running);
    expect(started).to.deep.equal(['a', 'b', 'c', 'd']);
  });

  it('Bulkhead, when a caller waits past maxWaitMs, fails it with OverloadedError and never runs its work', async () => {
    const bulkhead = new Bulkhead({ ...options, slots: 1 });
    const started: string[] = [];
    const a = gate(started, 'a');
    const first = bulkhead.run(a.work);
    const late = bulkhead.run(gate(started, 'late').work).catch((error: unknown) => error);
    await clock.tickAsync(1_000);
    expect(await late).to.be.instanceOf(OverloadedError);
    expect(bulkhead.load).to.deep.equal({ running: 1, waiting: 0 });
    a.release();
    await first;
    expect(started).to.deep.equal(['a']);
  });

  it("Bulkhead, when a waiting caller's request ends, takes it out of the queue with the request's reason", async () => {
    const bulkhead = new Bulkhead({ ...options, slots: 1, maxQueue: 3 });
    const started: string[] = [];
    const a = gate(started, 'a');
    const first = bulkhead.run(a.work);
    const left = new AbortController();
    const timedOut = new AbortController();
    const cancelled = bulkhead.run(gate(started, 'left').work, left.signal).catch((error: unknown) => error);
    const late = bulkhead.run(gate(started, 'timed out').work, timedOut.signal).catch((error: unknown) => error);
    const next = gate(started, 'next');
    const after = bulkhead.run(next.work);
    left.abort(new DOMException('The client closed the connection.', 'AbortError'));
    timedOut.abort(new DOMException('The request ran past its deadline.', 'TimeoutError'));
    expect(await cancelled).to.be.instanceOf(WorkCancelledError);
    expect(await late).to.be.instanceOf(DeadlineExceededError);
    a.release();
    await settle();
    expect(started).to.deep.equal(['a', 'next']);
    next.release();
    await Promise.all([first, after]);
  });

  it('Bulkhead, with pacing, while the process is busy, starts a burst of perSecond at once and the rest at perSecond; while it is not, all at once', async () => {
    let busy = true;
    const bulkhead = new Bulkhead({ ...options, slots: 8, maxQueue: 8, pacing: { busy: () => busy, perSecond: 4 } });
    const started: number[] = [];
    const work = async () => {
      started.push(Date.now());
    };
    const t0 = Date.now();
    const paced = Array.from({ length: 6 }, () => bulkhead.run(work));
    await clock.tickAsync(600);
    await Promise.all(paced);
    expect(started.map((t) => t - t0)).to.deep.equal([0, 0, 0, 0, 250, 500]);
    busy = false;
    started.length = 0;
    const t1 = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => bulkhead.run(work)));
    expect(started.map((t) => t - t1)).to.deep.equal([0, 0, 0, 0, 0, 0]);
  });
});

describe('OrdinaryTraffic', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['performance'] });
  });
  afterEach(() => clock.restore());

  it('OrdinaryTraffic, over a window of requests that were all its own work, says not busy; over one with other requests at the rate, busy', () => {
    let requests = 0;
    let own = 0;
    const traffic = new OrdinaryTraffic(
      () => own,
      100,
      100,
      () => requests,
    );
    requests += 50;
    own += 50;
    clock.tick(100);
    expect(traffic.busy(), 'only budgeted searches answered').to.equal(false);
    requests += 15;
    own += 4;
    clock.tick(100);
    expect(traffic.busy(), '11 others in 100 ms').to.equal(true);
    requests += 5;
    clock.tick(50);
    expect(traffic.busy(), 'mid-window: the last verdict').to.equal(true);
    clock.tick(50);
    expect(traffic.busy(), '5 others in 100 ms').to.equal(false);
  });

  it('Bulkhead, counting its completed work, lets OrdinaryTraffic tell its own requests from the others', async () => {
    const bulkhead = new Bulkhead({ name: 'search', slots: 1, maxQueue: 1, maxWaitMs: 1_000 });
    await bulkhead.run(async () => 'done');
    await bulkhead.run(async () => Promise.reject(new Error('failed'))).catch(() => undefined);
    expect(bulkhead.completed).to.equal(2);
  });
});
