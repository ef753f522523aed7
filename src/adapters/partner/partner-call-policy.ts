import pRetry from 'p-retry';
import { DomainError } from '../../domain/errors/domain-error.js';
import { PartnerProductNotFoundError } from '../../domain/errors/partner-product-not-found-error.js';
import { PartnerRejectedError } from '../../domain/errors/partner-rejected-error.js';
import { PartnerUnavailableError, type PartnerFailure } from '../../domain/errors/partner-unavailable-error.js';
import type { CallOutcome, CircuitBreaker, CircuitPermit } from './circuit-breaker.js';
import { PartnerAttemptError } from './partner-attempt-error.js';
import type { PartnerMetrics } from './partner-metrics.js';
import type { RetryBudget } from './retry-budget.js';

export interface PartnerCallSettings {
  /** Each HTTP attempt is aborted after this long. */
  readonly attemptTimeoutMs: number;
  /** A whole call, retries and waits included, never outlives this. */
  readonly deadlineMs: number;
  /** Retries after the first attempt, at most. */
  readonly retries: number;
  /** Full jitter: the n-th retry waits a random time in [0, min(cap, base * 2^n)). */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
}

/** A retry is only worth starting with at least this much time left for its attempt. */
const MIN_USEFUL_ATTEMPT_MS = 20;

class DeadlineReached extends Error {
  override readonly name = 'DeadlineReached';
}

interface CallState {
  attempts: number;
  /** Why retrying stopped before p-retry ran out of retries. */
  stoppedBy?: PartnerFailure;
  retryAfterMs?: number;
}

/**
 * Runs one partner call: circuit breaker admission, a per-attempt timeout inside an overall
 * deadline, retries with capped full-jitter backoff (Retry-After honoured when it fits) drawn from a
 * shared retry budget. The only place p-retry is used. Whatever happens, the returned promise
 * settles by the deadline, with the result or a domain error.
 */
export class PartnerCallPolicy {
  constructor(
    private readonly settings: PartnerCallSettings,
    private readonly breaker: CircuitBreaker,
    private readonly budget: RetryBudget,
    private readonly metrics: PartnerMetrics,
    private readonly random: () => number = Math.random,
  ) {}

  async run<T>(operation: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const started = performance.now();
    const permit = this.breaker.tryAcquire();
    if (!permit) {
      this.finish(operation, 'circuit-open', started);
      throw new PartnerUnavailableError('circuit-open', { attempts: 0, retryAfterMs: this.breaker.retryAfterMs() });
    }
    this.budget.recordCall();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DeadlineReached('deadline reached')), this.settings.deadlineMs);
    const state: CallState = { attempts: 0 };
    try {
      const result = await untilAborted(this.retrying(operation, attempt, permit, state, started, deadline.signal), deadline.signal);
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

  private retrying<T>(
    operation: string,
    attempt: (signal: AbortSignal) => Promise<T>,
    permit: CircuitPermit,
    state: CallState,
    started: number,
    deadline: AbortSignal,
  ): Promise<T> {
    const deadlineAt = started + this.settings.deadlineMs;
    return pRetry(() => this.attemptOnce(operation, attempt, state, deadlineAt, deadline), {
      retries: permit.trial ? 0 : this.settings.retries,
      // Waiting is done in shouldRetry, with full jitter and the deadline in view; p-retry's own
      // randomisation multiplies by 1..2, which is not full jitter.
      minTimeout: 0,
      maxTimeout: 0,
      signal: deadline,
      shouldRetry: async ({ error, retriesConsumed }) => {
        if (!(error instanceof PartnerAttemptError) || !error.retryable) return false;
        const decision = this.retryDecision(error, retriesConsumed, deadlineAt);
        this.metrics.retries.inc({ operation, decision: decision.stop ?? 'retried' });
        if (decision.stop) {
          state.stoppedBy = decision.stop;
          return false;
        }
        await sleep(decision.delayMs, deadline);
        return true;
      },
    });
  }

  private async attemptOnce<T>(
    operation: string,
    attempt: (signal: AbortSignal) => Promise<T>,
    state: CallState,
    deadlineAt: number,
    deadline: AbortSignal,
  ): Promise<T> {
    state.attempts += 1;
    const timeout = new AbortController();
    const budgetMs = Math.max(1, Math.min(this.settings.attemptTimeoutMs, deadlineAt - performance.now()));
    const timer = setTimeout(() => timeout.abort(new Error(`attempt timed out after ${budgetMs} ms`)), budgetMs);
    const signal = AbortSignal.any([deadline, timeout.signal]);
    try {
      const result = await attempt(signal);
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

  private retryDecision(error: PartnerAttemptError, retriesConsumed: number, deadlineAt: number) {
    if (this.breaker.state !== 'closed') return { stop: 'circuit-open' as const, delayMs: 0 };
    const delayMs = error.retryAfterMs ?? this.backoff(retriesConsumed);
    const remaining = deadlineAt - performance.now();
    // Never start a wait that would leave no time for the attempt after it.
    if (delayMs + Math.min(MIN_USEFUL_ATTEMPT_MS, this.settings.attemptTimeoutMs) > remaining) {
      return { stop: error.retryAfterMs !== null ? ('rate-limited' as const) : ('deadline-exceeded' as const), delayMs };
    }
    if (!this.budget.tryRetry()) return { stop: 'retry-budget-exhausted' as const, delayMs };
    return { stop: undefined, delayMs };
  }

  private backoff(retriesConsumed: number) {
    const { backoffBaseMs, backoffCapMs } = this.settings;
    return Math.floor(this.random() * Math.min(backoffCapMs, backoffBaseMs * 2 ** retriesConsumed));
  }

  private toDomainError(error: unknown, state: CallState): DomainError {
    if (error instanceof DomainError) return error;
    const { attempts } = state;
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
  return 'other';
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
