import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * Whether this process's event loop has been busy lately: its utilisation (the share of time spent
 * running code rather than waiting) over the last completed window of `windowMs` is at least
 * `threshold`. Measured on demand, at most once a window: asking costs nothing in between.
 */
export class EventLoopBusy {
  #mark: EventLoopUtilization = performance.eventLoopUtilization();
  #busy = false;

  constructor(
    private readonly threshold: number,
    private readonly windowMs = 100,
  ) {}

  busy(): boolean {
    const since = performance.eventLoopUtilization(this.#mark);
    if (since.idle + since.active >= this.windowMs) {
      this.#busy = since.utilization >= this.threshold;
      this.#mark = performance.eventLoopUtilization();
    }
    return this.#busy;
  }
}
