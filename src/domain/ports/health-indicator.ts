/** One dependency the service needs in order to serve traffic. */
export interface HealthIndicator {
  /** Stable name shown in readiness output, for example `database` or `redis`. */
  readonly name: string;
  /**
   * Resolves when the dependency answers a trivial request; rejects otherwise.
   * Honours `signal`: an aborted check rejects promptly and leaves nothing running.
   */
  check(signal: AbortSignal): Promise<void>;
}
