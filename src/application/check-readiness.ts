import { inject, injectable } from 'inversify';
import type { Clock } from '../domain/ports/clock.js';
import type { HealthIndicator } from '../domain/ports/health-indicator.js';
import { TYPES } from '../types.js';

export interface DependencyStatus {
  readonly name: string;
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly dependencies: readonly DependencyStatus[];
}

export const READINESS_TIMEOUT_MS = 1_000;
/** How old an answer may be: a flood of readiness checks costs at most one probe per this interval. */
export const READINESS_MAX_AGE_MS = 1_000;

/**
 * Asks every dependency at once, each bounded by a short timeout, so readiness never hangs. One
 * caller probes at a time: the others share its answer, and reuse it for READINESS_MAX_AGE_MS.
 */
@injectable()
export class CheckReadiness {
  private last: { readonly readiness: Readiness; readonly at: number } | undefined;
  private running: Promise<Readiness> | undefined;

  constructor(
    @inject(TYPES.HealthIndicators) private readonly indicators: readonly HealthIndicator[],
    @inject(TYPES.Clock) private readonly clock: Clock,
  ) {}

  execute(): Promise<Readiness> {
    if (this.last && this.clock.now() - this.last.at < READINESS_MAX_AGE_MS) return Promise.resolve(this.last.readiness);
    this.running ??= this.probeAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async probeAll(): Promise<Readiness> {
    const dependencies = await Promise.all(this.indicators.map((i) => this.probe(i, READINESS_TIMEOUT_MS)));
    const readiness = { ready: dependencies.every((d) => d.ok), dependencies };
    this.last = { readiness, at: this.clock.now() };
    return readiness;
  }

  private async probe(indicator: HealthIndicator, timeoutMs: number): Promise<DependencyStatus> {
    const started = performance.now();
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      await Promise.race([indicator.check(controller.signal), timeout]);
      return { name: indicator.name, ok: true, latencyMs: elapsed(started) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { name: indicator.name, ok: false, latencyMs: elapsed(started), error: message };
    } finally {
      clearTimeout(timer);
    }
  }
}

function elapsed(started: number) {
  return Math.round((performance.now() - started) * 10) / 10;
}
