import { inject, injectable } from 'inversify';
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

/** Asks every dependency at once, each bounded by a short timeout, so readiness never hangs. */
@injectable()
export class CheckReadiness {
  constructor(@inject(TYPES.HealthIndicators) private readonly indicators: readonly HealthIndicator[]) {}

  async execute(timeoutMs = READINESS_TIMEOUT_MS): Promise<Readiness> {
    const dependencies = await Promise.all(this.indicators.map((i) => this.probe(i, timeoutMs)));
    return { ready: dependencies.every((d) => d.ok), dependencies };
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
