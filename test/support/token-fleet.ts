import type { CachingTokenProvider } from '../../src/adapters/oauth/caching-token-provider.js';
import { RedisTokenSource } from '../../src/adapters/oauth/redis-token-source.js';
import { NO_TOKEN_METRICS, type TokenMetrics } from '../../src/adapters/oauth/token-metrics.js';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { cacheSettings, cachingProvider, ManualClock, mockEndpoint, silentLogger, tokenRequests } from './token-fixtures.js';

/** The mock partner's token lifetime (its default, 3600 s): one round moves the fleet's clock this far. */
const TOKEN_LIFETIME_MS = 3_600_000;
/** How long the mock's token endpoint takes to answer: a fetch holds the fleet's lock this long. */
const ENDPOINT_LATENCY_MS = 100;

/** What one round of token calls across the fleet got. */
export interface TokenRound {
  /** The token each successful call got. */
  readonly tokens: readonly string[];
  /** Why each failed call failed. */
  readonly errors: readonly Error[];
  /** Requests that reached the token endpoint during the round. */
  readonly fetches: number;
  /** Token commands to Redis that failed during the round (each instance then fetches for itself). */
  readonly sharedCacheFailures: number;
}

/**
 * `instances` token providers as that many service instances hold them (CachingTokenProvider over
 * RedisTokenSource over the mock partner's token endpoint), on one hand-moved clock. Each round moves
 * the clock past the token's life, so every instance needs a new token and asks Redis for it: a
 * round is one token generation. With Redis answering, the fleet fetches it once; with the token's
 * primary unreachable, each instance fetches its own (single flight), never one per call. The token
 * endpoint is a mock partner of the fleet's own, answering after ENDPOINT_LATENCY_MS.
 *
 * The instances share one Redis client (their lock values are random per fetch, as across processes).
 * `keyBase` must end in a hash tag (`<prefix>{oauth:<client>}`), which picks the token keys' slot.
 */
export class TokenFleet {
  private readonly clock = new ManualClock();
  private readonly providers: CachingTokenProvider[];
  private sharedCacheFailures = 0;

  static async start(client: RedisClient, keyBase: string): Promise<TokenFleet> {
    const mock = await startMockPartner();
    mock.context.faults.latencyMs = ENDPOINT_LATENCY_MS;
    return new TokenFleet(client, keyBase, mock);
  }

  private constructor(
    private readonly client: RedisClient,
    private readonly keyBase: string,
    private readonly mock: RunningMockPartner,
    readonly instances = 4,
    readonly callsPerInstance = 5,
  ) {
    const metrics: TokenMetrics = { ...NO_TOKEN_METRICS, sharedCacheFailed: () => void (this.sharedCacheFailures += 1) };
    const options = { clock: this.clock, logger: silentLogger };
    this.providers = Array.from({ length: instances }, () =>
      cachingProvider(
        new RedisTokenSource(
          client,
          mockEndpoint(mock.url, options),
          { ...cacheSettings(), keyBase, lockLeaseMs: 2_000, lockWaitMs: 10_000 },
          this.clock,
          silentLogger,
          metrics,
        ),
        options,
      ),
    );
  }

  get callsPerRound(): number {
    return this.instances * this.callsPerInstance;
  }

  /** A new token generation: every instance's calls at once; resolves when all have settled. */
  async round(): Promise<TokenRound> {
    this.clock.advance(TOKEN_LIFETIME_MS);
    const fetchesBefore = tokenRequests(this.mock);
    const failuresBefore = this.sharedCacheFailures;
    const results = await Promise.allSettled(
      this.providers.flatMap((provider) => Array.from({ length: this.callsPerInstance }, () => provider.getToken())),
    );
    return {
      tokens: results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.value] : [])),
      errors: results.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : [])),
      fetches: tokenRequests(this.mock) - fetchesBefore,
      sharedCacheFailures: this.sharedCacheFailures - failuresBefore,
    };
  }

  /** True when Redis serves the token keys' slot now (a GET beside them succeeds). */
  probe(): Promise<boolean> {
    return this.client.get(`${this.keyBase}:probe`).then(
      () => true,
      () => false,
    );
  }

  /** Waits for any fetch still in flight, then stops the mock partner. */
  async stop(): Promise<void> {
    await Promise.all(this.providers.map((provider) => provider.whenIdle()));
    await this.mock.stop();
  }
}
