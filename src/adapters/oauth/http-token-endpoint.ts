import { TokenRequestRejectedError } from '../../domain/errors/token-request-rejected-error.js';
import { TokenUnavailableError } from '../../domain/errors/token-unavailable-error.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Logger } from '../../domain/ports/logger.js';
import { fullJitterBackoff, retryLoop } from '../shared/retry-loop.js';
import { NO_TOKEN_METRICS, type TokenMetrics } from './token-metrics.js';
import type { IssuedToken, TokenSource } from './token-source.js';

export interface TokenEndpointSettings {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Space-separated scopes; omitted from the request when empty. */
  readonly scope?: string;
  /** HTTP Basic (RFC 6749 section 2.3.1, the default) or client_id/client_secret in the body. */
  readonly clientAuth: 'basic' | 'body';
  /** Lifetime assumed when the answer has no `expires_in`. */
  readonly defaultLifetimeMs: number;
  readonly requestTimeoutMs: number;
  /** Further attempts after a network error, timeout, 408, 429 or 5xx; OAuth errors are never retried. */
  readonly retries: number;
  /** Full jitter: retry n waits a random time in [0, min(max, min * 2^n)). */
  readonly retryMinDelayMs: number;
  readonly retryMaxDelayMs: number;
}

/** Reasons an attempt failed that a later attempt may not share. */
class TransientTokenError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The OAuth2 client-credentials grant (RFC 6749 section 4.4) against one token endpoint. Expiry is
 * counted from when the request was sent, so time spent in flight never extends a token's life.
 * Logs carry no secrets or tokens: only status codes, OAuth error codes and reasons.
 */
export class HttpTokenEndpoint implements TokenSource {
  constructor(
    private readonly settings: TokenEndpointSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: TokenMetrics = NO_TOKEN_METRICS,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly random: () => number = Math.random,
  ) {}

  async obtain(): Promise<IssuedToken> {
    const { retries, retryMinDelayMs, retryMaxDelayMs } = this.settings;
    try {
      return await retryLoop(
        () => this.attempt(),
        (error, retriesDone) => {
          if (!(error instanceof TransientTokenError) || retriesDone >= retries) return { retry: false, error };
          const delayMs = fullJitterBackoff(retriesDone, retryMinDelayMs, retryMaxDelayMs, this.random);
          this.logger.warn(
            { attempt: retriesDone + 1, retriesLeft: retries - retriesDone, retryInMs: delayMs, reason: error.message },
            'token request failed',
          );
          return { retry: true, delayMs };
        },
      );
    } catch (error) {
      if (error instanceof TokenRequestRejectedError) {
        this.logger.error({ oauthError: error.oauthError }, error.message);
        throw error;
      }
      const reason = error instanceof TransientTokenError ? error.message : String(error);
      throw new TokenUnavailableError(`the token endpoint failed ${retries + 1} times, last: ${reason}`, { cause: error });
    }
  }

  async evict(): Promise<void> {}

  private async attempt(): Promise<IssuedToken> {
    const sentAt = this.clock.now();
    this.metrics.fetched();
    let response: Response;
    try {
      response = await this.fetchImpl(this.settings.tokenUrl, {
        method: 'POST',
        headers: this.headers(),
        body: this.body(),
        redirect: 'error',
        signal: AbortSignal.timeout(this.settings.requestTimeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw this.transient(timedOut ? 'timeout' : 'network', timedOut ? 'timed out' : `network error (${networkCause(error)})`);
    }
    if (response.ok) return this.accept(response, sentAt);
    const status = response.status;
    const answer = (await response.json().catch(() => null)) as { error?: unknown; error_description?: unknown } | null;
    if (status >= 500 || status === 429 || status === 408) {
      throw this.transient(status === 429 ? 'http_429' : 'http_5xx', `HTTP ${status}`);
    }
    this.metrics.fetchFailed('rejected');
    if (typeof answer?.error === 'string') {
      const description = typeof answer.error_description === 'string' ? answer.error_description.slice(0, 200) : undefined;
      throw new TokenRequestRejectedError(answer.error, description);
    }
    throw new TokenRequestRejectedError('unexpected_response', `HTTP ${status} without an OAuth error`);
  }

  private async accept(response: Response, sentAt: number): Promise<IssuedToken> {
    const answer = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    const value = answer?.access_token;
    if (typeof value !== 'string' || value === '') {
      throw this.transient('invalid_response', 'the answer has no access_token');
    }
    if (typeof answer?.token_type !== 'string' || answer.token_type.toLowerCase() !== 'bearer') {
      this.metrics.fetchFailed('rejected');
      throw new TokenRequestRejectedError(
        'unsupported_token_type',
        `token_type ${JSON.stringify(answer?.token_type ?? null)} is not Bearer`,
      );
    }
    const expiresIn = Number(answer.expires_in);
    const lifetimeMs = answer.expires_in != null && expiresIn > 0 ? expiresIn * 1000 : this.settings.defaultLifetimeMs;
    this.logger.info({ expiresInSeconds: Math.round(lifetimeMs / 1000) }, 'partner access token obtained');
    return { value, issuedAt: sentAt, expiresAt: sentAt + lifetimeMs };
  }

  private transient(reason: string, message: string) {
    this.metrics.fetchFailed(reason);
    return new TransientTokenError(reason, message);
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (this.settings.clientAuth === 'basic') {
      const { clientId, clientSecret } = this.settings;
      // RFC 6749 section 2.3.1: each part is form-urlencoded before the Basic encoding.
      const credentials = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
    }
    return headers;
  }

  private body(): string {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.settings.scope) form.set('scope', this.settings.scope);
    if (this.settings.clientAuth === 'body') {
      form.set('client_id', this.settings.clientId);
      form.set('client_secret', this.settings.clientSecret);
    }
    return form.toString();
  }
}

function formEncode(value: string) {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function networkCause(error: unknown) {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : 'fetch failed';
}
