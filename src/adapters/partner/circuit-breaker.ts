export type CircuitState = 'closed' | 'open' | 'half-open';

/** How a finished call bears on the partner's health: neutral outcomes (our own faults) are not counted. */
export type CallOutcome = 'success' | 'failure' | 'neutral';

export interface CircuitBreakerSettings {
  /** Share of failed calls (0 to 1) among the last `window` calls at which the circuit opens. */
  readonly failureRatio: number;
  /** How many recent calls the failure ratio is measured over. */
  readonly window: number;
  /** The circuit never opens on fewer recorded calls than this. */
  readonly minimumCalls: number;
  /** How long an open circuit refuses calls before it lets one trial call through. */
  readonly openMs: number;
}

export interface CircuitPermit {
  /** The single call a half-open circuit lets through; its outcome closes or reopens the circuit. */
  readonly trial: boolean;
}

const TRIAL: CircuitPermit = { trial: true };
const NORMAL: CircuitPermit = { trial: false };

/**
 * Closed, open, half-open over a count-based window of call outcomes. Deciding costs a few
 * comparisons, so a partner that is down costs microseconds per call instead of timeouts.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private readonly failures: boolean[] = [];
  private failureCount = 0;
  private openUntil = 0;

  constructor(
    private readonly settings: CircuitBreakerSettings,
    private readonly now: () => number = Date.now,
    private readonly onTransition: (to: CircuitState) => void = () => undefined,
  ) {}

  get state(): CircuitState {
    return this.current;
  }

  /** A permit for one call, or null when the circuit refuses it (open, or half-open with its trial under way). */
  tryAcquire(): CircuitPermit | null {
    if (this.current === 'closed') return NORMAL;
    if (this.current === 'open' && this.now() >= this.openUntil) {
      this.transition('half-open');
      return TRIAL;
    }
    return null;
  }

  /** How long until an open circuit lets a trial through; 0 unless open. */
  retryAfterMs(): number {
    return this.current === 'open' ? Math.max(0, this.openUntil - this.now()) : 0;
  }

  record(permit: CircuitPermit, outcome: CallOutcome): void {
    if (permit.trial) {
      this.settleTrial(outcome);
    } else if (this.current === 'closed' && outcome !== 'neutral') {
      this.remember(outcome === 'failure');
    }
  }

  private settleTrial(outcome: CallOutcome) {
    if (this.current !== 'half-open') return;
    if (outcome === 'success') {
      this.failures.length = 0;
      this.failureCount = 0;
      this.transition('closed');
    } else if (outcome === 'failure') {
      this.open();
    } else {
      // The trial proved nothing about the partner: let the next caller try instead.
      this.current = 'open';
      this.openUntil = this.now();
    }
  }

  private remember(failed: boolean) {
    this.failures.push(failed);
    if (failed) this.failureCount += 1;
    if (this.failures.length > this.settings.window && this.failures.shift()) this.failureCount -= 1;
    const calls = this.failures.length;
    if (calls >= this.settings.minimumCalls && this.failureCount >= this.settings.failureRatio * calls) this.open();
  }

  private open() {
    this.openUntil = this.now() + this.settings.openMs;
    this.transition('open');
  }

  private transition(to: CircuitState) {
    if (this.current === to) return;
    this.current = to;
    this.onTransition(to);
  }
}
