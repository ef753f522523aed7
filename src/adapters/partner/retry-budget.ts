export interface RetryBudgetSettings {
  /** Retries allowed per call over the window, for example 0.8: retries add at most 80% to the load. */
  readonly ratio: number;
  /** Retries allowed per window whatever the traffic, so a quiet service can still retry. */
  readonly floor: number;
  readonly windowMs: number;
}

const BUCKETS = 10;

/**
 * Keeps retries a bounded fraction of calls over a sliding window, shared by every call to one
 * partner: when the partner struggles, retries stop multiplying its load.
 */
export class RetryBudget {
  private readonly calls = new Array<number>(BUCKETS).fill(0);
  private readonly retries = new Array<number>(BUCKETS).fill(0);
  private readonly bucketMs: number;
  private currentBucket = 0;

  constructor(
    private readonly settings: RetryBudgetSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = Math.max(1, settings.windowMs / BUCKETS);
    this.currentBucket = this.bucketOf(now());
  }

  recordCall(): void {
    this.calls[this.advance()] += 1;
  }

  /** Takes one retry from the budget; false when the window has no retry left. */
  tryRetry(): boolean {
    const slot = this.advance();
    const calls = this.calls.reduce((a, b) => a + b, 0);
    const retries = this.retries.reduce((a, b) => a + b, 0);
    if (retries + 1 > this.settings.floor + this.settings.ratio * calls) return false;
    this.retries[slot] += 1;
    return true;
  }

  private advance(): number {
    const bucket = this.bucketOf(this.now());
    const stale = Math.min(BUCKETS, bucket - this.currentBucket);
    for (let i = 1; i <= stale; i += 1) {
      const slot = (this.currentBucket + i) % BUCKETS;
      this.calls[slot] = 0;
      this.retries[slot] = 0;
    }
    this.currentBucket = Math.max(this.currentBucket, bucket);
    return this.currentBucket % BUCKETS;
  }

  private bucketOf(time: number) {
    return Math.floor(time / this.bucketMs);
  }
}
