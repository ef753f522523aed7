import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { instruments } from '../shared/instruments.js';
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
    this.callDuration = instruments.histogram(registry, {
      name: 'partner_call_duration_seconds',
      help: 'Partner catalogue calls by operation and outcome, retries and waits included',
      labelNames: ['operation', 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
    this.attempts = instruments.counter(registry, {
      name: 'partner_attempts_total',
      help: 'HTTP attempts at the partner catalogue by result (ok, timeout, network, server-error, rate-limited, ...)',
      labelNames: ['operation', 'result'],
    });
    this.retries = instruments.counter(registry, {
      name: 'partner_retries_total',
      help: 'Decisions after a retryable failure: retried, or why not (deadline-exceeded, rate-limited, retry-budget-exhausted, circuit-open)',
      labelNames: ['operation', 'decision'],
    });
    this.circuitState = instruments.gauge(registry, {
      name: 'partner_circuit_state',
      help: 'Partner catalogue circuit breaker: 1 for the current state, 0 for the others',
      labelNames: ['state'],
    });
    this.circuitTransitions = instruments.counter(registry, {
      name: 'partner_circuit_transitions_total',
      help: 'Partner catalogue circuit breaker transitions by target state',
      labelNames: ['to'],
    });
    this.lookups = instruments.counter(registry, {
      name: 'partner_product_lookups_total',
      help: 'Product lookups by how they were served: cache hit, shared in-flight call, or partner call',
      labelNames: ['result'],
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
