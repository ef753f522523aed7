import type { FreshnessSample } from './webhook-writer-result.js';

export interface FreshnessSummary {
  readonly samples: number;
  /** ms until both pages showed the change; Infinity when one did not within the writer's poll limit. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly unseen: number;
  /** Samples whose pages were not both X-Cache HIT before the webhook (they prove less). */
  readonly notCachedBefore: number;
}

/** A sample's freshness is its slower page's; p99 of fewer than 100 samples is their maximum. */
export function summariseFreshness(samples: readonly FreshnessSample[]): FreshnessSummary {
  const times = samples.map((s) => Math.max(s.detailMs ?? Infinity, s.listingMs ?? Infinity)).sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] ?? NaN;
  return {
    samples: times.length,
    p50: at(0.5),
    p99: at(0.99),
    max: times.at(-1) ?? NaN,
    unseen: times.filter((t) => t === Infinity).length,
    notCachedBefore: samples.filter((s) => !s.cachedBefore).length,
  };
}
