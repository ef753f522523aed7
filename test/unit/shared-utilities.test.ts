import { expect } from 'chai';
import { BoundedMap } from '../../src/shared/bounded-map.js';
import { ThrottledWarning } from '../../src/shared/throttled-warning.js';

describe('BoundedMap', () => {
  it('set, when full, evicts the oldest entry and tells onEvict; setting a key again makes it the newest', () => {
    const evicted: string[] = [];
    const map = new BoundedMap<string, number>(2, (key) => evicted.push(key));
    map.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    expect(evicted).to.deep.equal(['b']);
    expect([...map.entriesOldestFirst()]).to.deep.equal([
      ['a', 3],
      ['c', 4],
    ]);
    expect(map.size).to.equal(2);
  });
});

describe('ThrottledWarning', () => {
  it('warn, within the interval, logs once and counts the held-back warnings into the next one', () => {
    let now = 0;
    const logged: Record<string, unknown>[] = [];
    const warning = new ThrottledWarning(
      (fields) => logged.push(fields),
      1_000,
      () => now,
    );
    for (let i = 0; i < 5; i += 1) warning.warn({ i }, 'down');
    now = 1_000;
    warning.warn({ i: 5 }, 'down');
    expect(logged).to.deep.equal([{ i: 0 }, { i: 5, suppressed: 4 }]);
  });

  it('reset, after a recovery, lets the next warning through at once', () => {
    const logged: unknown[] = [];
    const warning = new ThrottledWarning(
      (fields) => logged.push(fields),
      60_000,
      () => 0,
    );
    warning.warn({}, 'down');
    warning.reset();
    warning.warn({}, 'down again');
    expect(logged).to.have.length(2);
  });
});
