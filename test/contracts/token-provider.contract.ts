import { expect } from 'chai';
import { TokenRequestRejectedError } from '../../src/domain/errors/token-request-rejected-error.js';
import type { AccessToken, TokenProvider } from '../../src/domain/ports/token-provider.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { tokenRequests } from '../support/token-fixtures.js';

export interface TokenProviderSubject {
  readonly provider: TokenProvider;
  /** A second provider sharing the store, as another instance would (itself when the store is process-local). */
  readonly peer: TokenProvider;
  cleanup(): Promise<void>;
}

export interface TokenProviderSubjectOptions {
  readonly clientSecret?: string;
}

/** Builds a subject whose providers fetch from the mock partner at `mockUrl`. */
export type MakeTokenProviderSubject = (mockUrl: string, options?: TokenProviderSubjectOptions) => Promise<TokenProviderSubject>;

const SKEW_MS = 60_000;

export function describeTokenProviderContract(name: string, makeSubject: MakeTokenProviderSubject) {
  describe(`TokenProvider contract: ${name}`, () => {
    let mock: RunningMockPartner;
    let subject: TokenProviderSubject;

    const partnerAccepts = async (token: AccessToken) => {
      const response = await fetch(`${mock.url}/oauth/whoami`, { headers: { authorization: `Bearer ${token.value}` } });
      return response.status === 200;
    };

    beforeEach(async () => {
      mock = await startMockPartner();
      subject = await makeSubject(mock.url);
    });

    afterEach(async () => {
      await subject.cleanup();
      await mock.stop();
    });

    it('getToken, when the cache is cold, returns a token the partner accepts, valid beyond the skew', async () => {
      const token = await subject.provider.getToken();
      expect(token.expiresAt).to.be.greaterThan(Date.now() + SKEW_MS);
      expect(await partnerAccepts(token)).to.equal(true);
    });

    it('getToken, when the token is fresh, returns the same token to every caller without another request', async () => {
      const first = await subject.provider.getToken();
      const again = await subject.provider.getToken();
      const fromPeer = await subject.peer.getToken();
      expect(again).to.deep.equal(first);
      expect(fromPeer.value).to.equal(first.value);
      expect(tokenRequests(mock)).to.equal(1);
    });

    it('getToken, when 50 callers ask at once on a cold cache, fetches exactly once', async () => {
      const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? subject.peer : subject.provider).getToken()));
      expect(new Set(tokens.map((t) => t.value)).size).to.equal(1);
      expect(tokenRequests(mock)).to.equal(1);
    });

    it('invalidate, when given the current token, makes the next getToken return a different working token', async () => {
      const rejected = await subject.provider.getToken();
      await subject.provider.invalidate(rejected);
      const fresh = await subject.provider.getToken();
      expect(fresh.value).to.not.equal(rejected.value);
      expect(await partnerAccepts(fresh)).to.equal(true);
      expect(tokenRequests(mock)).to.equal(2);
    });

    it('invalidate, when a newer token was stored meanwhile, evicts only the old one and keeps the newer', async () => {
      const old = await subject.provider.getToken();
      expect((await subject.peer.getToken()).value).to.equal(old.value);
      await subject.provider.invalidate(old);
      const newer = await subject.provider.getToken();
      await subject.peer.invalidate(old);
      expect((await subject.peer.getToken()).value).to.equal(newer.value);
      expect((await subject.provider.getToken()).value).to.equal(newer.value);
      expect(tokenRequests(mock)).to.equal(2);
    });

    it('invalidate, when called twice with the same token, is idempotent', async () => {
      const token = await subject.provider.getToken();
      await subject.provider.invalidate(token);
      await subject.provider.invalidate(token);
      const fresh = await subject.provider.getToken();
      expect(fresh.value).to.not.equal(token.value);
      expect(tokenRequests(mock)).to.equal(2);
    });

    it('getToken, when the server refuses the client, throws TokenRequestRejectedError once for all callers', async () => {
      await subject.cleanup();
      subject = await makeSubject(mock.url, { clientSecret: 'not-the-secret' });
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => subject.provider.getToken()));
      for (const result of results) {
        expect(result.status).to.equal('rejected');
        const error = (result as PromiseRejectedResult).reason as TokenRequestRejectedError;
        expect(error).to.be.instanceOf(TokenRequestRejectedError);
        expect(error.oauthError).to.equal('invalid_client');
        expect(error.code).to.equal('TOKEN_REQUEST_REJECTED');
      }
      await expect(subject.peer.getToken()).to.be.rejectedWith(TokenRequestRejectedError, /invalid_client/);
      expect(tokenRequests(mock)).to.equal(1);
    });
  });
}
