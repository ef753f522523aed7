import type { HealthIndicator } from '../../domain/ports/health-indicator.js';

/** Stands for an in-process dependency, which is up whenever the process is. */
export class AlwaysUpHealthIndicator implements HealthIndicator {
  constructor(readonly name: string) {}

  async check(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
  }
}
