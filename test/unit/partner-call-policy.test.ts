import { expect } from 'chai';
import sinon from 'sinon';
import { CircuitBreaker, type CircuitBreakerSettings } from '../../src/adapters/partner/circuit-breaker.js';
import { PartnerAttemptError } from '../../src/adapters/partner/partner-attempt-error.js';
import { PartnerCallPolicy, type PartnerCallSettings } from '../../src/adapters/partner/partner-call-policy.js';
import { PartnerMetrics } from '../../src/adapters/partner/partner-metrics.js';
import { RetryBudget, type RetryBudgetSettings } from '../../src/adapters/partner/retry-budget.js';
import { PartnerProductNotFoundError } from '../../src/domain/errors/partner-product-not-found-error.js';
import { PartnerRejectedError } from '../../src/domain/errors/partner-rejected-error.js';
import { PartnerUnavailableError } from '../../src/domain/errors/partner-unavailable-error.js';
import { TokenRequestRejectedError } from '../../src/domain/errors/token-request-rejected-error.js';
import { TokenUnavailableError } from '../../src/domain/errors/token-unavailable-error.js';
import type { AccessToken, TokenProvider } from '../../src/domain/ports/token-provider.js';

const CALL: PartnerCallSettings = { attemptTimeoutMs: 100, deadlineMs: 1_000, retries: 3, backoffBaseMs: 10, backoffCapMs: 40 };
const BREAKER: CircuitBreakerSettings = { failureRatio: 0.5, window: 10, minimumCalls: 10, openMs: 5_000 };
const BUDGET: RetryBudgetSettings = { ratio: 1, floor: 100, windowMs: 10_000 };

interface Options {
  call?: Partial<PartnerCallSettings>;
  breaker?: Partial<CircuitBreakerSettings>;
  budget?: Partial<RetryBudgetSettings>;
  random?: () => number;
  tokens?: TokenProvider;
}

const TOKEN: AccessToken = { value: 'token', expiresAt: Number.MAX_SAFE_INTEGER };

/** A token provider whose getToken runs `next` (a valid token at once unless told otherwise), counting calls. */
class ScriptedTokens implements TokenProvider {
  calls = 0;
  constructor(public next: () => Promise<AccessToken> = async () => TOKEN) {}

  getToken(): Promise<AccessToken> {
    this.calls += 1;
    return this.next();
  }

  async invalidate(): Promise<void> {}
}

function harness(options: Options = {}) {
  const breaker = new CircuitBreaker({ ...BREAKER, ...options.breaker });
  const budget = new RetryBudget({ ...BUDGET, ...options.budget });
  const tokens = options.tokens ?? new ScriptedTokens();
  const policy = new PartnerCallPolicy(
    { ...CALL, ...options.call },
    breaker,
    budget,
    new PartnerMetrics(),
    tokens,
    options.random ?? (() => 0.5),
  );
  return { policy, breaker };
}

/** An attempt that asks for a token first, as HttpExternalCatalog does, then answers. */
const withToken =
  (then: (signal: AbortSignal) => Promise<string> = succeed) =>
  async (signal: AbortSignal, tokens: TokenProvider) => {
    await tokens.getToken();
    return then(signal);
  };

/** An attempt function scripted per attempt; records when (fake ms) each attempt started. */
function scripted(...steps: ((signal: AbortSignal) => Promise<string>)[]) {
  const starts: number[] = [];
  const attempt = (signal: AbortSignal) => {
    starts.push(performance.now());
    const step = steps[Math.min(starts.length - 1, steps.length - 1)];
    return step(signal);
  };
  return { attempt, starts };
}

const fail =
  (kind: 'network' | 'timeout' | 'server-error' | 'rate-limited', retryAfterMs: number | null = null) =>
  async () => {
    throw new PartnerAttemptError(kind, `injected ${kind}`, { retryAfterMs });
  };
const succeed = async () => 'answer';
const hangUntilAborted = (signal: AbortSignal) =>
  new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(new Error('This operation was aborted'))));
const neverSettle = () => new Promise<string>(() => undefined);

describe('PartnerCallPolicy', () => {
  let clock: sinon.SinonFakeTimers;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
  });

  afterEach(() => clock.restore());

  async function settle<T>(promise: Promise<T>, ms = 2_000) {
    const outcome = promise.then(
      (value) => ({ value, error: undefined, at: performance.now() }),
      (error: unknown) => ({ value: undefined, error, at: performance.now() }),
    );
    await clock.tickAsync(ms);
    return outcome;
  }

  it('run, when network errors, timeouts, 5xx and 429 come before an answer, retries each and returns the answer', async () => {
    const { policy } = harness({ call: { retries: 4 } });
    const { attempt, starts } = scripted(fail('network'), fail('timeout'), fail('server-error'), fail('rate-limited'), succeed);
    const { value } = await settle(policy.run('getProduct', attempt));
    expect(value).to.equal('answer');
    expect(starts).to.have.length(5);
  });

  it('run, between retries, waits full-jitter backoff: random share of min(cap, base * 2^n)', async () => {
    const { policy } = harness({ random: () => 0.5 });
    const { attempt, starts } = scripted(fail('server-error'), fail('server-error'), fail('server-error'), succeed);
    await settle(policy.run('getProduct', attempt));
    const waits = starts.slice(1).map((start, i) => start - starts[i]);
    expect(waits).to.deep.equal([5, 10, 20]);
  });

  it('run, when the partner answers 404 or refuses the request, does not retry', async () => {
    for (const refusal of [new PartnerProductNotFoundError('FL-X'), new PartnerRejectedError('bad request', 400)]) {
      const { policy } = harness();
      const { attempt, starts } = scripted(async () => {
        throw refusal;
      });
      const { error } = await settle(policy.run('getProduct', attempt));
      expect(error).to.equal(refusal);
      expect(starts).to.have.length(1);
    }
  });

  it('run, when the body is unusable, fails with PartnerRejectedError without retrying', async () => {
    const { policy } = harness();
    const { attempt, starts } = scripted(async () => {
      throw new PartnerAttemptError('bad-response', 'unusable body: price: must be a decimal rupee amount');
    });
    const { error } = await settle(policy.run('getProduct', attempt));
    expect(error).to.be.instanceOf(PartnerRejectedError);
    expect((error as Error).cause).to.be.instanceOf(PartnerAttemptError);
    expect(starts).to.have.length(1);
  });

  it('run, when an attempt hangs, aborts it after attemptTimeoutMs and retries', async () => {
    const { policy } = harness();
    const { attempt, starts } = scripted(hangUntilAborted, succeed);
    const { value } = await settle(policy.run('getProduct', attempt));
    expect(value).to.equal('answer');
    expect(starts[1] - starts[0]).to.be.within(100, 100 + 5);
  });

  it('run, when attempts ignore their signal and never settle, rejects at the deadline exactly', async () => {
    const { policy } = harness({ call: { attemptTimeoutMs: 1_000, deadlineMs: 300 } });
    const { error, at } = await settle(policy.run('getProduct', neverSettle), 5_000);
    expect(error).to.be.instanceOf(PartnerUnavailableError);
    expect((error as PartnerUnavailableError).reason).to.equal('deadline-exceeded');
    expect(at).to.equal(300);
  });

  it('run, when every attempt fails, never outlives the deadline and never starts a wait that would overrun it', async () => {
    const { policy } = harness({ call: { retries: 10, deadlineMs: 250, backoffBaseMs: 40, backoffCapMs: 400 }, random: () => 0.99 });
    const { attempt, starts } = scripted(hangUntilAborted);
    const { error, at } = await settle(policy.run('getProduct', attempt), 5_000);
    expect((error as PartnerUnavailableError).reason).to.equal('deadline-exceeded');
    expect(at).to.be.at.most(250);
    expect(starts.every((start) => start < 250 - 20)).to.equal(true);
  });

  it('run, when a 429 carries a Retry-After that fits the deadline, waits exactly that long', async () => {
    const { policy } = harness();
    const { attempt, starts } = scripted(fail('rate-limited', 600), succeed);
    const { value } = await settle(policy.run('getProduct', attempt));
    expect(value).to.equal('answer');
    expect(starts[1] - starts[0]).to.equal(600);
  });

  it('run, when the Retry-After is beyond the deadline, fails at once as rate-limited, passing the wait on', async () => {
    const { policy } = harness();
    const { attempt, starts } = scripted(fail('rate-limited', 30_000), succeed);
    const { error, at } = await settle(policy.run('getProduct', attempt));
    expect((error as PartnerUnavailableError).reason).to.equal('rate-limited');
    expect((error as PartnerUnavailableError).retryAfterMs).to.equal(30_000);
    expect(at).to.equal(0);
    expect(starts).to.have.length(1);
  });

  it('run, when the retry budget is spent, stops retrying', async () => {
    const { policy } = harness({ budget: { ratio: 0, floor: 1 } });
    const first = scripted(fail('server-error'), succeed);
    expect((await settle(policy.run('getProduct', first.attempt))).value).to.equal('answer');
    const second = scripted(fail('server-error'), succeed);
    const { error } = await settle(policy.run('getProduct', second.attempt));
    expect((error as PartnerUnavailableError).reason).to.equal('retry-budget-exhausted');
    expect(second.starts).to.have.length(1);
  });

  it('run, when retries run out, fails as retries-exhausted with the last failure as cause', async () => {
    const { policy } = harness({ call: { retries: 2 } });
    const { attempt, starts } = scripted(fail('server-error'));
    const { error } = await settle(policy.run('getProduct', attempt));
    expect((error as PartnerUnavailableError).reason).to.equal('retries-exhausted');
    expect((error as PartnerUnavailableError).attempts).to.equal(3);
    expect((error as Error).cause).to.be.instanceOf(PartnerAttemptError);
    expect(starts).to.have.length(3);
  });

  it('run, when the circuit is open, fails without calling the partner', async () => {
    const { policy, breaker } = harness({ call: { retries: 0 }, breaker: { minimumCalls: 2, window: 2 } });
    await settle(policy.run('getProduct', fail('server-error')));
    await settle(policy.run('getProduct', fail('server-error')));
    expect(breaker.state).to.equal('open');
    const { attempt, starts } = scripted(succeed);
    const { error } = await settle(policy.run('getProduct', attempt), 0);
    expect((error as PartnerUnavailableError).reason).to.equal('circuit-open');
    expect((error as PartnerUnavailableError).attempts).to.equal(0);
    expect(starts).to.have.length(0);
  });

  it('run, when the half-open trial fails, makes a single attempt and reopens the circuit', async () => {
    const { policy, breaker } = harness({ call: { retries: 0 }, breaker: { minimumCalls: 2, window: 2, openMs: 1_000 } });
    await settle(policy.run('getProduct', fail('server-error')));
    await settle(policy.run('getProduct', fail('server-error')));
    await clock.tickAsync(1_000);
    const { attempt, starts } = scripted(fail('server-error'), succeed);
    const withRetries = new PartnerCallPolicy(
      { ...CALL, retries: 5 },
      breaker,
      new RetryBudget(BUDGET),
      new PartnerMetrics(),
      new ScriptedTokens(),
    );
    await settle(withRetries.run('getProduct', attempt));
    expect(starts).to.have.length(1);
    expect(breaker.state).to.equal('open');
  });

  it('run, when the token provider fails, passes its error on without counting it against the partner', async () => {
    const { policy, breaker } = harness({ breaker: { minimumCalls: 1, window: 1 } });
    const refusal = new TokenUnavailableError('no token endpoint is configured');
    const { error } = await settle(
      policy.run('getProduct', async () => {
        throw refusal;
      }),
    );
    expect(error).to.equal(refusal);
    expect(breaker.state).to.equal('closed');
  });

  it('run, when the token endpoint never answers, fails at the deadline as a token failure and leaves the breaker closed', async () => {
    const tokens = new ScriptedTokens(() => new Promise<AccessToken>(() => undefined));
    const { policy, breaker } = harness({ tokens, call: { deadlineMs: 300 }, breaker: { minimumCalls: 2, window: 2 } });
    for (let call = 0; call < 9; call += 1) {
      const { error, at } = await settle(policy.run('getProduct', withToken()), 1_000);
      expect(error).to.be.instanceOf(TokenUnavailableError);
      expect((error as Error).message).to.match(/deadline/);
      expect(at % 1_000).to.equal(300);
    }
    expect(breaker.state).to.equal('closed');
    tokens.next = async () => TOKEN;
    const { attempt, starts } = scripted(succeed);
    const { value } = await settle(policy.run('getProduct', withToken(attempt)), 0);
    expect(value).to.equal('answer');
    expect(starts).to.have.length(1);
  });

  it('run, when the token arrives slowly, does not count that wait against the attempt timeout', async () => {
    const tokens = new ScriptedTokens(() => new Promise<AccessToken>((resolve) => setTimeout(() => resolve(TOKEN), 500)));
    const { policy } = harness({ tokens, call: { attemptTimeoutMs: 100, deadlineMs: 1_000 } });
    const { attempt, starts } = scripted(async (signal) => {
      expect(signal.aborted).to.equal(false);
      return 'answer';
    });
    const { value } = await settle(policy.run('getProduct', withToken(attempt)));
    expect(value).to.equal('answer');
    expect(starts).to.have.length(1);
    expect(tokens.calls).to.equal(1);
  });

  it('run, when the token request is refused, passes the refusal on after one attempt and leaves the breaker closed', async () => {
    const refusal = new TokenRequestRejectedError('invalid_client');
    const tokens = new ScriptedTokens(async () => {
      throw refusal;
    });
    const { policy, breaker } = harness({ tokens, breaker: { minimumCalls: 1, window: 1 } });
    const { error } = await settle(policy.run('getProduct', withToken()));
    expect(error).to.equal(refusal);
    expect(tokens.calls).to.equal(1);
    expect(breaker.state).to.equal('closed');
  });
});
