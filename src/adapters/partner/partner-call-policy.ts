import { DomainError } from '../../domain/errors/domain-error.js';
import { PartnerProductNotFoundError } from '../../domain/errors/partner-product-not-found-error.js';
import { PartnerRejectedError } from '../../domain/errors/partner-rejected-error.js';
import { PartnerUnavailableError, type PartnerFailure } from '../../domain/errors/partner-unavailable-error.js';
import { TokenRequestRejectedError } from '../../domain/errors/token-request-rejected-error.js';
import { TokenUnavailableError } from '../../domain/errors/token-unavailable-error.js';
import type { AccessToken, TokenProvider } from '../../domain/ports/token-provider.js';
import { fullJitterBackoff, retryLoop, type RetryDecision } from '../shared/retry-loop.js';
import type { CallOutcome, CircuitBreaker } from './circuit-breaker.js';
import { PartnerAttemptError } from './partner-attempt-error.js';
import type { PartnerMetrics } from './partner-metrics.js';
import type { RetryBudget } from './retry-budget.js';

export interface PartnerCallSettings {
  /** Each HTTP attempt at the partner is aborted after this long (the wait for a token is not part of it). */
  readonly attemptTimeoutMs: number;
  /** A whole call, token, retries and waits included, never outlives this. */
  readonly deadlineMs: number;
  /** Retries after the first attempt, at most. */
  readonly retries: number;
  /** Full jitter: the n-th retry waits a random time in [0, min(cap, base * 2^n)). */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
}

/** One partner attempt: its abort signal and the tokens to authorise it with. */
export type PartnerAttempt<T> = (signal: AbortSignal, tokens: TokenProvider) => Promise<T>;

/** A retry is only worth starting with at least this much time left for its attempt. */
const MIN_USEFUL_ATTEMPT_MS = 20;

class DeadlineReached extends Error {
  override readonly name = 'DeadlineReached';
}

interface CallState {
  attempts: number;
  /** True while the call waits for a token: a deadline reached then is the token endpoint's doing. */
  waitingForToken: boolean;
  /** Why retrying stopped before the retries ran out. */
  stoppedBy?: PartnerFailure;
  retryAfterMs?: number;
}

/**
 * Runs one partner call: circuit breaker admission, a per-attempt timeout inside an overall
 * deadline, retries with capped full-jitter backoff (Retry-After honoured when it fits) drawn from a
 * shared retry budget, in the plain loop of retry-loop.ts. Whatever happens, the returned promise
 * settles by the deadline, with the result or a domain error. Tokens come through the policy, so
 * a token that does not arrive (endpoint down, slow, refusing) ends the call as the token
 * provider's error and never counts against the partner's breaker.
 */
export class PartnerCallPolicy {
  constructor(
    private readonly settings: PartnerCallSettings,
    private readonly breaker: CircuitBreaker,
    private readonly budget: RetryBudget,
    private readonly metrics: PartnerMetrics,
    private readonly tokens: TokenProvider,
    private readonly random: () => number = Math.random,
  ) {}

  async run<T>(operation: string, attempt: PartnerAttempt<T>): Promise<T> {
    const started = performance.now();
    const permit = this.breaker.tryAcquire();
    if (!permit) {
      this.finish(operation, 'circuit-open', started);
      throw new PartnerUnavailableError('circuit-open', { attempts: 0, retryAfterMs: this.breaker.retryAfterMs() });
    }
    this.budget.recordCall();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DeadlineReached('deadline reached')), this.settings.deadlineMs);
    const state: CallState = { attempts: 0, waitingForToken: false };
    const deadlineAt = started + this.settings.deadlineMs;
    const retries = permit.trial ? 0 : this.settings.retries;
    try {
      const result = await untilAborted(
        retryLoop(
          () => this.attemptOnce(operation, attempt, state, deadlineAt, deadline.signal),
          (error, retriesDone) => this.decide(operation, error, retriesDone, retries, deadlineAt, state),
          deadline.signal,
        ),
        deadline.signal,
      );
      this.breaker.record(permit, 'success');
      this.finish(operation, 'success', started);
      return result;
    } catch (error) {
      const failure = this.toDomainError(error, state);
      this.breaker.record(permit, breakerOutcome(failure, state));
      this.finish(operation, outcomeLabel(failure), started);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  private async attemptOnce<T>(
    operation: string,
    attempt: PartnerAttempt<T>,
    state: CallState,
    deadlineAt: number,
    deadline: AbortSignal,
  ): Promise<T> {
    state.attempts += 1;
    const timeout = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The attempt's clock runs while the partner has the request, not while a token is awaited.
    const arm = () => {
      clearTimeout(timer);
      const budgetMs = Math.max(1, Math.min(this.settings.attemptTimeoutMs, deadlineAt - performance.now()));
      timer = setTimeout(() => timeout.abort(new Error(`attempt timed out after ${budgetMs} ms`)), budgetMs);
    };
    const tokens = this.tokensWithin(deadline, state, () => clearTimeout(timer), arm);
    arm();
    try {
      const result = await attempt(AbortSignal.any([deadline, timeout.signal]), tokens);
      this.metrics.attempts.inc({ operation, result: 'ok' });
      return result;
    } catch (error) {
      const failure = classify(error, deadline, timeout.signal);
      this.metrics.attempts.inc({ operation, result: failure instanceof PartnerAttemptError ? failure.kind : attemptLabel(failure) });
      if (failure instanceof PartnerAttemptError && failure.retryAfterMs !== null) state.retryAfterMs = failure.retryAfterMs;
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The token provider as one attempt sees it: the wait pauses the attempt timeout and ends at the deadline. */
  private tokensWithin(deadline: AbortSignal, state: CallState, pause: () => void, resume: () => void): TokenProvider {
    return {
      getToken: async (): Promise<AccessToken> => {
        pause();
        state.waitingForToken = true;
        try {
          return await untilAborted(this.tokens.getToken(), deadline);
        } finally {
          // At the deadline the flag stays set: run() reads it to blame the token endpoint.
          if (!deadline.aborted) {
            state.waitingForToken = false;
            resume();
          }
        }
      },
      invalidate: (token) => this.tokens.invalidate(token),
    };
  }

  private decide(
    operation: string,
    error: unknown,
    retriesDone: number,
    retries: number,
    deadlineAt: number,
    state: CallState,
  ): RetryDecision {
    if (!(error instanceof PartnerAttemptError) || !error.retryable || retriesDone >= retries) return { retry: false, error };
    const { stop, delayMs } = this.retryDecision(error, retriesDone, deadlineAt);
    this.metrics.retries.inc({ operation, decision: stop ?? 'retried' });
    if (!stop) return { retry: true, delayMs };
    state.stoppedBy = stop;
    return { retry: false, error };
  }

  private retryDecision(error: PartnerAttemptError, retriesDone: number, deadlineAt: number) {
    if (this.breaker.state !== 'closed') return { stop: 'circuit-open' as const, delayMs: 0 };
    const { backoffBaseMs, backoffCapMs, attemptTimeoutMs } = this.settings;
    const delayMs = error.retryAfterMs ?? fullJitterBackoff(retriesDone, backoffBaseMs, backoffCapMs, this.random);
    const remaining = deadlineAt - performance.now();
    // Never start a wait that would leave no time for the attempt after it.
    if (delayMs + Math.min(MIN_USEFUL_ATTEMPT_MS, attemptTimeoutMs) > remaining) {
      return { stop: error.retryAfterMs !== null ? ('rate-limited' as const) : ('deadline-exceeded' as const), delayMs };
    }
    if (!this.budget.tryRetry()) return { stop: 'retry-budget-exhausted' as const, delayMs };
    return { stop: undefined, delayMs };
  }

  private toDomainError(error: unknown, state: CallState): DomainError {
    const { attempts } = state;
    if (error instanceof DeadlineReached && state.waitingForToken) {
      return new TokenUnavailableError(`no token within the partner call's ${this.settings.deadlineMs} ms deadline`, { cause: error });
    }
    if (error instanceof DomainError) return error;
    if (error instanceof DeadlineReached || (error instanceof PartnerAttemptError && error.kind === 'deadline')) {
      return new PartnerUnavailableError('deadline-exceeded', { attempts, cause: error });
    }
    if (error instanceof PartnerAttemptError && error.kind === 'bad-response') {
      return new PartnerRejectedError(`The partner catalogue answered unusably: ${error.message}`, error.status, { cause: error });
    }
    const reason = state.stoppedBy ?? 'retries-exhausted';
    const retryAfterMs = reason === 'circuit-open' ? this.breaker.retryAfterMs() : state.retryAfterMs;
    return new PartnerUnavailableError(reason, { attempts, retryAfterMs, cause: error });
  }

  private finish(operation: string, outcome: string, started: number) {
    this.metrics.callDuration.observe({ operation, outcome }, (performance.now() - started) / 1000);
  }
}

/** What went wrong in one attempt, judged by which signal fired rather than by error names. */
function classify(error: unknown, deadline: AbortSignal, timeout: AbortSignal): Error {
  if (error instanceof DomainError || error instanceof PartnerAttemptError) return error;
  if (deadline.aborted) return new PartnerAttemptError('deadline', 'the call deadline was reached', { cause: error });
  if (timeout.aborted) return new PartnerAttemptError('timeout', 'the attempt timed out', { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new PartnerAttemptError('network', `the request failed: ${message}`, { cause: error });
}

/** The partner answered (even "no such product" or "bad request"): it is alive. Token troubles are not its fault. */
function breakerOutcome(failure: DomainError, state: CallState): CallOutcome {
  if (failure instanceof PartnerProductNotFoundError) return 'success';
  if (failure instanceof PartnerRejectedError) return failure.partnerStatus === null ? 'failure' : 'success';
  if (failure instanceof PartnerUnavailableError) return failure.reason === 'circuit-open' && state.attempts > 0 ? 'neutral' : 'failure';
  return 'neutral';
}

/** A definitive answer (404, 400) or a token failure, by its stable domain code: a small, fixed label set. */
function attemptLabel(failure: Error): string {
  return failure instanceof DomainError ? failure.code.toLowerCase() : 'other';
}

function outcomeLabel(failure: DomainError): string {
  if (failure instanceof PartnerUnavailableError) return failure.reason;
  if (failure instanceof PartnerProductNotFoundError) return 'not-found';
  if (failure instanceof PartnerRejectedError) return 'rejected';
  if (failure instanceof TokenUnavailableError || failure instanceof TokenRequestRejectedError) return 'token-failed';
  return 'other';
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as unknown);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
