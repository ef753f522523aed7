import { expect } from 'chai';
import type { EventDeduplicator } from '../../src/domain/ports/event-deduplicator.js';

export interface EventDeduplicatorSubject {
  readonly deduplicator: EventDeduplicator;
  /** A second handle on the same store, as another instance would have (itself when the store is process-local). */
  readonly peer: EventDeduplicator;
  /** Lets `ms` pass for the store: a real wait, or a fake clock moved on. */
  elapse(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

const LEASE = 150;

export function describeEventDeduplicatorContract(name: string, makeSubject: () => Promise<EventDeduplicatorSubject>) {
  describe(`EventDeduplicator contract: ${name}`, () => {
    let subject: EventDeduplicatorSubject;
    let dedup: EventDeduplicator;
    let peer: EventDeduplicator;

    beforeEach(async () => {
      subject = await makeSubject();
      ({ deduplicator: dedup, peer } = subject);
    });

    afterEach(() => subject.cleanup());

    it('claim, when nobody holds the event, claims it with a token', async () => {
      const claim = await dedup.claim('evt_1', LEASE);
      expect(claim.status).to.equal('claimed');
      expect(claim).to.have.property('token').that.is.a('string').and.not.empty;
    });

    it('claim, when another instance holds the event, reports processing and when its lease ends', async () => {
      await dedup.claim('evt_1', LEASE);
      const claim = await peer.claim('evt_1', LEASE);
      expect(claim.status).to.equal('processing');
      if (claim.status !== 'processing') return;
      expect(claim.retryAfterMs).to.be.greaterThan(0).and.at.most(LEASE);
    });

    it('claim, when the holder died and its lease ended, claims the event again', async () => {
      const first = await dedup.claim('evt_1', LEASE);
      await subject.elapse(LEASE + 100);
      const second = await peer.claim('evt_1', LEASE);
      expect(second.status).to.equal('claimed');
      expect(second).to.not.deep.equal(first);
    });

    it('complete, when the event was processed, answers done to every later claim, past the lease', async () => {
      await dedup.claim('evt_1', LEASE);
      await dedup.complete('evt_1', 60_000);
      await subject.elapse(LEASE + 100);
      expect(await peer.claim('evt_1', LEASE)).to.deep.equal({ status: 'done' });
      expect(await dedup.claim('evt_1', LEASE)).to.deep.equal({ status: 'done' });
    });

    it('complete, when the retention has passed, forgets the event', async () => {
      await dedup.complete('evt_1', LEASE);
      await subject.elapse(LEASE + 100);
      expect((await dedup.claim('evt_1', LEASE)).status).to.equal('claimed');
    });

    it('complete, when another instance holds the event, replaces its claim', async () => {
      await peer.claim('evt_1', 60_000);
      await dedup.complete('evt_1', 60_000);
      expect(await peer.claim('evt_1', LEASE)).to.deep.equal({ status: 'done' });
    });

    it('release, when the token still holds the claim, frees the event at once', async () => {
      const claim = await dedup.claim('evt_1', 60_000);
      if (claim.status !== 'claimed') throw new Error('expected a claim');
      await dedup.release('evt_1', claim.token);
      expect((await peer.claim('evt_1', LEASE)).status).to.equal('claimed');
    });

    it('release, when the token no longer holds the claim, leaves the new holder and done alone', async () => {
      const old = await dedup.claim('evt_1', LEASE);
      if (old.status !== 'claimed') throw new Error('expected a claim');
      await subject.elapse(LEASE + 100);
      await peer.claim('evt_1', 60_000);
      await dedup.release('evt_1', old.token);
      expect((await peer.claim('evt_1', LEASE)).status).to.equal('processing');
      await peer.complete('evt_1', 60_000);
      await dedup.release('evt_1', old.token);
      expect(await dedup.claim('evt_1', LEASE)).to.deep.equal({ status: 'done' });
    });

    it('claim, when many callers race for one event, lets exactly one claim it', async () => {
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? dedup : peer).claim('evt_race', 60_000)));
      expect(claims.filter((c) => c.status === 'claimed')).to.have.length(1);
      expect(claims.filter((c) => c.status === 'processing')).to.have.length(19);
    });

    it('claim, when event ids differ only in case, treats them as two events', async () => {
      await dedup.claim('evt_A', 60_000);
      expect((await dedup.claim('evt_a', 60_000)).status).to.equal('claimed');
    });
  });
}
