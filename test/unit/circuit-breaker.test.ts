import { expect } from 'chai';
import { CircuitBreaker, type CircuitState } from '../../src/adapters/partner/circuit-breaker.js';

const settings = { failureRatio: 0.5, window: 10, minimumCalls: 4, openMs: 1_000 };

function harness() {
  let now = 1_000_000;
  const transitions: CircuitState[] = [];
  const breaker = new CircuitBreaker(
    settings,
    () => now,
    (to) => transitions.push(to),
  );
  const call = (outcome: 'success' | 'failure' | 'neutral') => {
    const permit = breaker.tryAcquire();
    if (permit) breaker.record(permit, outcome);
    return permit;
  };
  return { breaker, transitions, call, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('record, when failures reach the ratio over at least minimumCalls, opens and refuses calls', () => {
    const { breaker, call } = harness();
    call('success');
    call('failure');
    call('success');
    expect(breaker.state).to.equal('closed');
    call('failure');
    expect(breaker.state).to.equal('open');
    expect(breaker.tryAcquire()).to.equal(null);
    expect(breaker.retryAfterMs()).to.equal(1_000);
  });

  it('record, when fewer than minimumCalls were recorded, stays closed even if every one failed', () => {
    const { breaker, call } = harness();
    for (let i = 0; i < 3; i += 1) call('failure');
    expect(breaker.state).to.equal('closed');
  });

  it('record, when 2 calls in every 5 fail against a 50% threshold, stays closed however long it runs', () => {
    const { breaker, call } = harness();
    for (let i = 0; i < 1_000; i += 1) call(i % 5 === 1 || i % 5 === 4 ? 'failure' : 'success');
    expect(breaker.state).to.equal('closed');
  });

  it('record, when outcomes are neutral (our own faults), counts none of them', () => {
    const { breaker, call } = harness();
    for (let i = 0; i < 20; i += 1) call('neutral');
    call('failure');
    call('success');
    call('success');
    expect(breaker.state).to.equal('closed');
  });

  it('tryAcquire, when open for openMs, lets exactly one trial through (half-open)', () => {
    const { breaker, call, advance, transitions } = harness();
    for (let i = 0; i < 4; i += 1) call('failure');
    advance(999);
    expect(breaker.tryAcquire()).to.equal(null);
    advance(1);
    expect(breaker.tryAcquire()).to.deep.equal({ trial: true });
    expect(breaker.state).to.equal('half-open');
    expect(breaker.tryAcquire()).to.equal(null);
    expect(transitions).to.deep.equal(['open', 'half-open']);
  });

  it('record, when the trial succeeds, closes the circuit with a clean window', () => {
    const { breaker, call, advance, transitions } = harness();
    for (let i = 0; i < 4; i += 1) call('failure');
    advance(1_000);
    breaker.record(breaker.tryAcquire()!, 'success');
    expect(breaker.state).to.equal('closed');
    call('failure');
    call('failure');
    call('failure');
    expect(breaker.state, 'old failures were forgotten').to.equal('closed');
    expect(transitions).to.deep.equal(['open', 'half-open', 'closed']);
  });

  it('record, when the trial fails, reopens for another openMs', () => {
    const { breaker, call, advance } = harness();
    for (let i = 0; i < 4; i += 1) call('failure');
    advance(1_000);
    breaker.record(breaker.tryAcquire()!, 'failure');
    expect(breaker.state).to.equal('open');
    expect(breaker.retryAfterMs()).to.equal(1_000);
  });

  it('record, when the trial proves nothing (neutral), lets the next caller be the trial', () => {
    const { breaker, call, advance } = harness();
    for (let i = 0; i < 4; i += 1) call('failure');
    advance(1_000);
    breaker.record(breaker.tryAcquire()!, 'neutral');
    expect(breaker.tryAcquire()).to.deep.equal({ trial: true });
  });

  it('record, when a call admitted before the circuit opened finishes, ignores its outcome', () => {
    const { breaker, call } = harness();
    const late = breaker.tryAcquire()!;
    for (let i = 0; i < 4; i += 1) call('failure');
    breaker.record(late, 'success');
    expect(breaker.state).to.equal('open');
  });
});
