let answered = 0;

/**
 * How many requests this process has answered since it started (every route, every status): the
 * request-context middleware counts each one as it ends. A load signal for adapters (see
 * OrdinaryTraffic), kept apart from the metrics registry so that reading it costs nothing.
 */
export const requestTraffic = {
  ended(): void {
    answered += 1;
  },
  answered(): number {
    return answered;
  },
};

/**
 * Whether this process is busy with ordinary requests: over the last completed window of
 * `windowMs`, at least `perSecond` requests a second were answered besides the ones `own` counts
 * (the work that asks, e.g. budgeted searches, each of which is also a request). Measured on
 * demand, at most once a window: asking costs nothing in between.
 */
export class OrdinaryTraffic {
  #since = performance.now();
  #requests: number;
  #own: number;
  #busy = false;

  constructor(
    private readonly own: () => number,
    private readonly perSecond: number,
    private readonly windowMs = 100,
    private readonly requests: () => number = () => requestTraffic.answered(),
  ) {
    this.#requests = requests();
    this.#own = own();
  }

  busy(): boolean {
    const now = performance.now();
    const elapsed = now - this.#since;
    if (elapsed >= this.windowMs) {
      const requests = this.requests();
      const own = this.own();
      const ordinary = requests - this.#requests - (own - this.#own);
      this.#busy = ordinary >= (this.perSecond * elapsed) / 1000;
      this.#since = now;
      this.#requests = requests;
      this.#own = own;
    }
    return this.#busy;
  }
}
