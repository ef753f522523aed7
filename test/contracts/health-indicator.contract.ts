import { expect } from 'chai';
import type { HealthIndicator } from '../../src/domain/ports/health-indicator.js';

export interface HealthIndicatorSubject {
  readonly indicator: HealthIndicator;
  cleanup(): Promise<void>;
}

export function describeHealthIndicatorContract(
  name: string,
  makeHealthy: () => Promise<HealthIndicatorSubject>,
  makeUnreachable?: () => Promise<HealthIndicatorSubject>,
) {
  describe(`HealthIndicator contract: ${name}`, () => {
    it('check, when the dependency answers, resolves', async () => {
      const subject = await makeHealthy();
      try {
        expect(subject.indicator.name).to.be.a('string').and.not.equal('');
        await subject.indicator.check(new AbortController().signal);
      } finally {
        await subject.cleanup();
      }
    });

    it('check, when the signal is already aborted, rejects without asking', async () => {
      const subject = await makeHealthy();
      try {
        await expect(subject.indicator.check(AbortSignal.abort())).to.be.rejected;
      } finally {
        await subject.cleanup();
      }
    });

    if (makeUnreachable) {
      it('check, when the dependency is unreachable, rejects', async () => {
        const subject = await makeUnreachable();
        try {
          await expect(subject.indicator.check(new AbortController().signal)).to.be.rejected;
        } finally {
          await subject.cleanup();
        }
      });
    }
  });
}
