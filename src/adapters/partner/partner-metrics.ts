import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CircuitState } from './circuit-breaker.js';

const STATES: readonly CircuitState[] = ['closed', 'half-open', 'open'];

/** Instruments of the partner catalogue adapter, on the app's registry (on none when not given one). */
export class PartnerMetrics {
  readonly callDuration: Histogram<'operation' | 'outcome'>;
  readonly attempts: Counter<'operation' | 'result'>;
  readonly retries: Counter<'operation' | 'decision'>;
  readonly circuitState: Gauge<'state'>;
  readonly circuitTransitions: Counter<'to'>;
  readonly lookups: Counter<'result'>;

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.callDuration = new Histogram({
      name: 'partner_call_duration_seconds',
      help: 'Partner catalogue calls by operation and outcome, retries and waits included',
      labelNames: ['operation', 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.attempts = new Counter({
      name: 'partner_attempts_total',
      help: 'HTTP attempts at the partner catalogue by result (ok, timeout, network, server-error, rate-limited, ...)',
      labelNames: ['operation', 'result'],
      registers,
    });
    this.retries = new Counter({
      name: 'partner_retries_total',
      help: 'Decisions after a retryable failure: retried, or why not (deadline-exceeded, rate-limited, retry-budget-exhausted, circuit-open)',
      labelNames: ['operation', 'decision'],
      registers,
    });
    this.circuitState = new Gauge({
      name: 'partner_circuit_state',
      help: 'Partner catalogue circuit breaker: 1 for the current state, 0 for the others',
      labelNames: ['state'],
      registers,
    });
    this.circuitTransitions = new Counter({
      name: 'partner_circuit_transitions_total',
      help: 'Partner catalogue circuit breaker transitions by target state',
      labelNames: ['to'],
      registers,
    });
    this.lookups = new Counter({
      name: 'partner_product_lookups_total',
      help: 'Product lookups by how they were served: cache hit, shared in-flight call, or partner call',
      labelNames: ['result'],
      registers,
    });
    this.showState('closed');
  }

  circuitChanged(to: CircuitState): void {
    this.circuitTransitions.inc({ to });
    this.showState(to);
  }

  private showState(current: CircuitState) {
    for (const state of STATES) this.circuitState.set({ state }, state === current ? 1 : 0);
  }
}
