/**
 * Fault settings every non-control route honours (see apply-faults.ts), plus free-form keys that
 * modules read for their own behaviour (for example `tokenLifetimeSeconds`). The shares
 * timeoutRate, rateLimitRate and errorRate are of all requests and never overlap (one draw decides),
 * so {"errorRate": 0.3, "timeoutRate": 0.1} fails exactly 40% of requests.
 */
export interface MockFaults {
  /** Delay before answering, in milliseconds. */
  latencyMs: number;
  /** Extra delay drawn uniformly from 0 to this, per request: latency is latencyMs + U(0, latencyJitterMs). */
  latencyJitterMs: number;
  /** Share of requests, 0 to 1, answered with `errorStatus` instead. */
  errorRate: number;
  /** Share of requests never answered (held until the client gives up); a timeout for the client. */
  timeoutRate: number;
  /** Share of requests answered 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitRate: number;
  retryAfterSeconds: number;
  /** Status used for injected errors; 503 unless set. */
  errorStatus: number;
  /** Connections are dropped without an answer, as if the partner were unreachable. */
  down: boolean;
  /** Only paths starting with one of these are affected; all non-control paths when empty. */
  paths: string[];
  /** How many more matching requests the faults affect; unlimited when null. */
  remaining: number | null;
  [key: string]: unknown;
}

export function noFaults(): MockFaults {
  return {
    latencyMs: 0,
    latencyJitterMs: 0,
    errorRate: 0,
    timeoutRate: 0,
    rateLimitRate: 0,
    retryAfterSeconds: 1,
    errorStatus: 503,
    down: false,
    paths: [],
    remaining: null,
  };
}
