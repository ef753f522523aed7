import { expect } from 'chai';
import sinon from 'sinon';
import { HttpRequestScope } from '../../src/adapters/http/middleware/request-context.js';

describe('HttpRequestScope (lazy signal and deadline)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => clock.restore());

  it('HttpRequestScope, for a request that never reads its signal, sets no deadline timer', () => {
    const scope = new HttpRequestScope('r1', 20_000);
    scope.end();
    expect(clock.countTimers()).to.equal(0);
    expect(scope.hasTimer).to.equal(false);
  });

  it('HttpRequestScope, when the signal is read, sets one timer for the remaining deadline and aborts with a TimeoutError then', () => {
    const scope = new HttpRequestScope('r1', 20_000);
    clock.tick(5_000);
    const { signal } = scope;
    expect(clock.countTimers()).to.equal(1);
    clock.tick(14_999);
    expect(signal.aborted).to.equal(false);
    clock.tick(1);
    expect(signal.aborted).to.equal(true);
    expect((signal.reason as DOMException).name).to.equal('TimeoutError');
  });

  it('HttpRequestScope, when the signal is first read after the client left, returns it already aborted with an AbortError', () => {
    const scope = new HttpRequestScope('r1', 20_000);
    scope.clientLeft();
    const { signal } = scope;
    expect(signal.aborted).to.equal(true);
    expect((signal.reason as DOMException).name).to.equal('AbortError');
    expect(clock.countTimers()).to.equal(0);
  });

  it('HttpRequestScope, when the client leaves after the signal was read, aborts it and clears the timer', () => {
    const scope = new HttpRequestScope('r1', 20_000);
    const { signal } = scope;
    scope.clientLeft();
    expect(signal.aborted).to.equal(true);
    expect((signal.reason as DOMException).name).to.equal('AbortError');
    expect(clock.countTimers()).to.equal(0);
  });

  it('HttpRequestScope, when the signal is first read after the deadline passed, returns it already timed out', () => {
    const scope = new HttpRequestScope('r1', 1_000);
    clock.tick(1_000);
    expect((scope.signal.reason as DOMException).name).to.equal('TimeoutError');
    expect(clock.countTimers()).to.equal(0);
  });

  it('HttpRequestScope, when the request ended before the signal is read, returns a signal that never aborts', () => {
    const scope = new HttpRequestScope('r1', 1_000);
    scope.end();
    const { signal } = scope;
    clock.tick(500);
    expect(signal.aborted).to.equal(false);
    expect(clock.countTimers()).to.equal(0);
  });

  it('HttpRequestScope, when reading the signal twice, returns the same signal', () => {
    const scope = new HttpRequestScope('r1', 1_000);
    expect(scope.signal).to.equal(scope.signal);
    expect(clock.countTimers()).to.equal(1);
  });

  it('HttpRequestScope, with no deadline, sets no timer when the signal is read', () => {
    const scope = new HttpRequestScope('r1', 0);
    expect(scope.signal.aborted).to.equal(false);
    expect(clock.countTimers()).to.equal(0);
  });
});
