import { expect } from 'chai';
import { RetryBudget } from '../../src/adapters/partner/retry-budget.js';

function harness(settings = { ratio: 0.2, floor: 2, windowMs: 10_000 }) {
  let now = 5_000_000;
  const budget = new RetryBudget(settings, () => now);
  const retriesAllowed = () => {
    let allowed = 0;
    while (budget.tryRetry()) allowed += 1;
    return allowed;
  };
  return { budget, retriesAllowed, advance: (ms: number) => (now += ms) };
}

describe('RetryBudget', () => {
  it('tryRetry, when no call was made, allows the floor and no more', () => {
    const { retriesAllowed } = harness();
    expect(retriesAllowed()).to.equal(2);
  });

  it('tryRetry, after 100 calls at a 20% ratio, allows the floor plus 20 retries', () => {
    const { budget, retriesAllowed } = harness();
    for (let i = 0; i < 100; i += 1) budget.recordCall();
    expect(retriesAllowed()).to.equal(22);
  });

  it('tryRetry, when the window has passed, forgets old calls and retries', () => {
    const { budget, retriesAllowed, advance } = harness();
    for (let i = 0; i < 100; i += 1) budget.recordCall();
    retriesAllowed();
    advance(10_000);
    expect(retriesAllowed(), 'only the floor is left').to.equal(2);
    for (let i = 0; i < 50; i += 1) budget.recordCall();
    expect(retriesAllowed()).to.equal(10);
  });

  it('tryRetry, half a window later, still counts the calls and retries of the first half', () => {
    const { budget, retriesAllowed, advance } = harness();
    for (let i = 0; i < 100; i += 1) budget.recordCall();
    expect(retriesAllowed()).to.equal(22);
    advance(5_000);
    expect(retriesAllowed()).to.equal(0);
  });
});
