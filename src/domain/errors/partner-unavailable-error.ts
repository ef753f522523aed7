import { DomainError } from './domain-error.js';

export type PartnerFailure =
  'circuit-open' | 'deadline-exceeded' | 'retries-exhausted' | 'retry-budget-exhausted' | 'rate-limited' | 'not-configured';

/** The partner gave no usable answer in time; asking again after `retryAfterMs` may succeed. */
export class PartnerUnavailableError extends DomainError {
  readonly code = 'PARTNER_UNAVAILABLE';
  readonly attempts: number;
  readonly retryAfterMs: number;

  constructor(
    readonly reason: PartnerFailure,
    options: { attempts: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(`The partner catalogue is unavailable (${reason} after ${options.attempts} attempt(s))`, options);
    this.attempts = options.attempts;
    this.retryAfterMs = options.retryAfterMs ?? 1_000;
  }
}
