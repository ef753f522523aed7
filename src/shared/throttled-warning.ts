type Log = (fields: Record<string, unknown>, message: string) => void;

/**
 * A warning logged at most once per `intervalMs`: a dependency that stays down is reported, not
 * flooded into the log. Warnings held back in between are counted into the next one (`suppressed`).
 */
export class ThrottledWarning {
  private lastAt = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly log: Log,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    if (now - this.lastAt < this.intervalMs) {
      this.suppressed += 1;
      return;
    }
    this.lastAt = now;
    this.log(this.suppressed > 0 ? { ...fields, suppressed: this.suppressed } : fields, message);
    this.suppressed = 0;
  }

  /** Forgets the last warning (after a recovery), so the next trouble is reported at once. */
  reset(): void {
    this.lastAt = -Infinity;
    this.suppressed = 0;
  }
}
