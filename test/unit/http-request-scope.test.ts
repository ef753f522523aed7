import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import sinon from 'sinon';
import { HttpRequestScope, type ClientResponse } from '../../src/adapters/http/middleware/request-context.js';

/** What the scope reads of a ServerResponse: 'close' is emitted once, with closed set first. */
class FakeResponse extends EventEmitter implements ClientResponse {
  closed = false;
  writableFinished = false;

  close({ finished }: { finished: boolean }) {
    this.writableFinished = finished;
    this.closed = true;
    this.emit('close');
  }
}

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

  it('HttpRequestScope, for a request that never reads its signal, adds no listener to the response', () => {
    const response = new FakeResponse();
    const scope = new HttpRequestScope('r1', 20_000, response);
    response.close({ finished: false });
    scope.end();
    expect(response.listenerCount('close')).to.equal(0);
  });

  it('HttpRequestScope, when the connection closes before the answer is finished after the signal was read, aborts it with an AbortError', () => {
    const response = new FakeResponse();
    const scope = new HttpRequestScope('r1', 20_000, response);
    const { signal } = scope;
    expect(response.listenerCount('close')).to.equal(1);
    response.close({ finished: false });
    expect((signal.reason as DOMException).name).to.equal('AbortError');
    expect(clock.countTimers()).to.equal(0);
  });

  it('HttpRequestScope, when the signal is first read after the connection closed unfinished, returns it already aborted', () => {
    const response = new FakeResponse();
    const scope = new HttpRequestScope('r1', 20_000, response);
    response.close({ finished: false });
    const { signal } = scope;
    expect((signal.reason as DOMException).name).to.equal('AbortError');
    expect(clock.countTimers()).to.equal(0);
    expect(response.listenerCount('close')).to.equal(0);
  });

  it('HttpRequestScope, when the response closes after the answer was finished, leaves the signal alone', () => {
    const early = new FakeResponse();
    const readEarly = new HttpRequestScope('r1', 0, early);
    const { signal } = readEarly;
    early.close({ finished: true });
    expect(signal.aborted).to.equal(false);

    const late = new FakeResponse();
    const readLate = new HttpRequestScope('r2', 0, late);
    late.close({ finished: true });
    expect(readLate.signal.aborted).to.equal(false);
  });
});
