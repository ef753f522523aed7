import { expect } from 'chai';
import { CheckReadiness, READINESS_MAX_AGE_MS } from '../../src/application/check-readiness.js';
import type { HealthIndicator } from '../../src/domain/ports/health-indicator.js';

/** A dependency whose probes are counted and answered only when the test says so. */
function gatedIndicator() {
  const pending: Array<(error?: Error) => void> = [];
  const indicator: HealthIndicator & { probes: number } = {
    name: 'database',
    probes: 0,
    check() {
      indicator.probes += 1;
      return new Promise<void>((resolve, reject) => pending.push((error) => (error ? reject(error) : resolve())));
    },
  };
  return { indicator, answer: (error?: Error) => pending.splice(0).forEach((settle) => settle(error)) };
}

describe('CheckReadiness', () => {
  it('execute, when many callers ask while a probe runs, probes once and gives them all its answer', async () => {
    const { indicator, answer } = gatedIndicator();
    const readiness = new CheckReadiness([indicator], { now: () => 0 });
    const callers = Array.from({ length: 50 }, () => readiness.execute());
    answer();
    const answers = await Promise.all(callers);
    expect(indicator.probes).to.equal(1);
    expect(answers.every((a) => a.ready)).to.equal(true);
  });

  it('execute, when the last answer is younger than READINESS_MAX_AGE_MS, reuses it; once it is that old, probes again', async () => {
    const { indicator, answer } = gatedIndicator();
    let now = 0;
    const readiness = new CheckReadiness([indicator], { now: () => now });
    const first = readiness.execute();
    answer();
    await first;
    now = READINESS_MAX_AGE_MS - 1;
    await readiness.execute();
    expect(indicator.probes).to.equal(1);
    now = READINESS_MAX_AGE_MS;
    const second = readiness.execute();
    answer();
    await second;
    expect(indicator.probes).to.equal(2);
  });

  it('execute, when the probe failed, reuses the failure for the same interval rather than probing a struggling dependency again', async () => {
    const { indicator, answer } = gatedIndicator();
    const readiness = new CheckReadiness([indicator], { now: () => 0 });
    const first = readiness.execute();
    answer(new Error('connection refused'));
    expect((await first).ready).to.equal(false);
    expect((await readiness.execute()).ready).to.equal(false);
    expect(indicator.probes).to.equal(1);
  });
});
