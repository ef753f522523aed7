/** What the token adapters count; PrometheusTokenMetrics exports it, tests may record it. */
export interface TokenMetrics {
  /** One request sent to the token endpoint (every retry counts). */
  fetched(): void;
  /** A failed token request or wait: rejected, http_5xx, http_429, network, timeout, invalid_response, lock_wait_timeout. */
  fetchFailed(reason: string): void;
  /** A token served from a cache layer without fetching. */
  cacheHit(layer: 'memory' | 'redis'): void;
  /** A caller that found the fleet-wide lock taken and waited for another instance's fetch. */
  lockWaited(): void;
  /** A Redis command for tokens that failed; this instance fetches for itself meanwhile. */
  sharedCacheFailed(): void;
}

export const NO_TOKEN_METRICS: TokenMetrics = {
  fetched: () => undefined,
  fetchFailed: () => undefined,
  cacheHit: () => undefined,
  lockWaited: () => undefined,
  sharedCacheFailed: () => undefined,
};
