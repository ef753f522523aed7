import { expect } from 'chai';
import type { AvailabilitySnapshot, LastKnownAvailability } from '../../src/domain/ports/last-known-availability.js';

export const CONTRACT_RETENTION_MS = 3_600_000;

export interface LastKnownAvailabilitySubject {
  /** Built with a retention of CONTRACT_RETENTION_MS. */
  readonly store: LastKnownAvailability;
  /** Another handle on the same store, as another instance (or this one after a restart) would have. */
  readonly peer: LastKnownAvailability;
  cleanup(): Promise<void>;
}

const snapshot = (sku: string, agoMs: number, pricePaise = 12_550, stock = 4): AvailabilitySnapshot => ({
  sku,
  pricePaise,
  stock,
  asOf: new Date(Date.now() - agoMs),
});

export function describeLastKnownAvailabilityContract(name: string, makeSubject: () => Promise<LastKnownAvailabilitySubject>) {
  describe(`LastKnownAvailability contract: ${name}`, () => {
    let subject: LastKnownAvailabilitySubject;

    beforeEach(async () => {
      subject = await makeSubject();
    });

    afterEach(() => subject.cleanup());

    it('recall, when nothing was remembered for the sku, returns null', async () => {
      expect(await subject.store.recall('FL-NONE')).to.equal(null);
    });

    it('remember, then recall from another handle, returns the snapshot unchanged', async () => {
      const kept = snapshot('FL-DAI-0000001', 1_000, 0, 0);
      await subject.store.remember(kept);
      expect(await subject.peer.recall('FL-DAI-0000001')).to.deep.equal(kept);
    });

    it('remember, when a newer snapshot is stored, keeps the newer one', async () => {
      const newer = snapshot('FL-DAI-0000001', 1_000, 100, 1);
      await subject.store.remember(newer);
      await subject.peer.remember(snapshot('FL-DAI-0000001', 5_000, 200, 2));
      await subject.peer.remember({ ...newer, pricePaise: 300 });
      expect(await subject.store.recall('FL-DAI-0000001')).to.deep.equal(newer);
    });

    it('remember, when the snapshot is newer than the stored one, replaces it', async () => {
      await subject.store.remember(snapshot('FL-DAI-0000001', 5_000, 200, 2));
      const newer = snapshot('FL-DAI-0000001', 1_000, 100, 1);
      await subject.peer.remember(newer);
      expect(await subject.store.recall('FL-DAI-0000001')).to.deep.equal(newer);
    });

    it('remember, when the snapshot is already past retention, keeps nothing', async () => {
      await subject.store.remember(snapshot('FL-OLD', CONTRACT_RETENTION_MS + 1_000));
      expect(await subject.peer.recall('FL-OLD')).to.equal(null);
    });

    it('recall, for one sku, never returns the values of another sku', async () => {
      await subject.store.remember(snapshot('FL-A', 1_000, 100, 1));
      await subject.store.remember(snapshot('FL-B', 1_000, 200, 2));
      expect(await subject.peer.recall('FL-A')).to.include({ sku: 'FL-A', pricePaise: 100, stock: 1 });
      expect(await subject.peer.recall('FL-B')).to.include({ sku: 'FL-B', pricePaise: 200, stock: 2 });
    });
  });
}
