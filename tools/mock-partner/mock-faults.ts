/**
 * Fault settings every non-control route honours (see apply-faults.ts), plus free-form keys that
 * modules read for their own behaviour (for example `tokenLifetimeSeconds`).
 */
export interface MockFaults {
  /** Delay before answering, in milliseconds. */
  latencyMs: number;
  /** Share of requests, 0 to 1, answered with `errorStatus` instead. */
  errorRate: number;
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
  return { latencyMs: 0, errorRate: 0, errorStatus: 503, down: false, paths: [], remaining: null };
}
