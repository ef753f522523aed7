import { expect } from 'chai';
import type { SyncCheckpoint, SyncCheckpoints } from '../../src/domain/ports/sync-checkpoints.js';

export interface SyncCheckpointsSubject {
  readonly checkpoints: SyncCheckpoints;
  cleanup(): Promise<void>;
}

const checkpoint = (pages: number, cursor: string | null): SyncCheckpoint => ({
  cursor,
  pages,
  items: pages * 200,
  completed: cursor === null,
  updatedAt: new Date(Date.UTC(2026, 10, 24, 12, 0, pages)),
});

export function describeSyncCheckpointsContract(name: string, makeSubject: () => Promise<SyncCheckpointsSubject>) {
  describe(`SyncCheckpoints contract: ${name}`, () => {
    let subject: SyncCheckpointsSubject;

    beforeEach(async () => {
      subject = await makeSubject();
    });

    afterEach(() => subject.cleanup());

    it('load, when nothing was saved under the name, returns null', async () => {
      expect(await subject.checkpoints.load('partner-catalog')).to.equal(null);
    });

    it('save, then load, returns the checkpoint unchanged', async () => {
      const saved = checkpoint(3, 'eyJhZnRlciI6NjAwfQ');
      await subject.checkpoints.save('partner-catalog', saved);
      expect(await subject.checkpoints.load('partner-catalog')).to.deep.equal(saved);
    });

    it('save, when a checkpoint exists, replaces it whole, down to a finished one without a cursor', async () => {
      await subject.checkpoints.save('partner-catalog', checkpoint(3, 'eyJhZnRlciI6NjAwfQ'));
      const finished = checkpoint(9, null);
      await subject.checkpoints.save('partner-catalog', finished);
      await subject.checkpoints.save('partner-catalog', finished);
      expect(await subject.checkpoints.load('partner-catalog')).to.deep.equal(finished);
    });

    it('save, under two names, keeps them apart', async () => {
      await subject.checkpoints.save('partner-catalog', checkpoint(1, 'a'));
      await subject.checkpoints.save('other-import', checkpoint(2, 'b'));
      expect((await subject.checkpoints.load('partner-catalog'))?.cursor).to.equal('a');
      expect((await subject.checkpoints.load('other-import'))?.cursor).to.equal('b');
    });
  });
}
