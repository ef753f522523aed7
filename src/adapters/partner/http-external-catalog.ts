import type { DomainError } from '../../domain/errors/domain-error.js';
import { PartnerProductNotFoundError } from '../../domain/errors/partner-product-not-found-error.js';
import { PartnerRejectedError } from '../../domain/errors/partner-rejected-error.js';
import type { ExternalCatalog, LiveProduct, PartnerCatalogPage } from '../../domain/ports/external-catalog.js';
import type { TokenProvider } from '../../domain/ports/token-provider.js';
import { requestIdHeader } from '../shared/request-id-header.js';
import { SingleFlightCache } from '../shared/single-flight-cache.js';
import { callWithToken } from './call-with-token.js';
import { PartnerAttemptError } from './partner-attempt-error.js';
import type { PartnerCallPolicy } from './partner-call-policy.js';
import { PartnerJson } from './partner-json.js';
import type { PartnerMetrics } from './partner-metrics.js';
import { retryAfterMs } from './retry-after.js';

export interface HttpExternalCatalogSettings {
  /** PARTNER_API_URL: the partner's base URL; paths like /v1/products are appended to it. */
  readonly baseUrl: string;
  /** Successful product answers are served from memory this long; 0 turns the cache off. */
  readonly cacheMs: number;
  readonly maxCachedProducts: number;
}

/** API A over HTTP with a bearer token; resilience and tokens come from the PartnerCallPolicy every call runs in. */
export class HttpExternalCatalog implements ExternalCatalog {
  private readonly recent: SingleFlightCache<LiveProduct>;
  private readonly baseUrl: string;

  constructor(
    settings: HttpExternalCatalogSettings,
    private readonly policy: PartnerCallPolicy,
    private readonly metrics: PartnerMetrics,
    private readonly now: () => number = Date.now,
  ) {
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
    this.recent = new SingleFlightCache(settings.cacheMs, settings.maxCachedProducts, now);
  }

  getProduct(sku: string): Promise<LiveProduct> {
    return this.recent.get(
      sku,
      () =>
        this.policy.run('getProduct', async (signal, tokens) => {
          const path = `/v1/products/${encodeURIComponent(sku)}`;
          const body = await this.getJson(path, signal, tokens, () => new PartnerProductNotFoundError(sku));
          return { product: decode(() => PartnerJson.product(body)), asOf: new Date(this.now()) };
        }),
      (result) => this.metrics.lookups.inc({ result }),
    );
  }

  listProducts(cursor: string | null, limit: number): Promise<PartnerCatalogPage> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor !== null) query.set('cursor', cursor);
    return this.policy.run('listProducts', async (signal, tokens) => {
      const body = await this.getJson(`/v1/products?${query.toString()}`, signal, tokens);
      return decode(() => PartnerJson.page(body));
    });
  }

  private async getJson(path: string, signal: AbortSignal, tokens: TokenProvider, notFound?: () => DomainError): Promise<unknown> {
    const response = await callWithToken(tokens, (authorization) =>
      fetch(`${this.baseUrl}${path}`, { headers: { authorization, accept: 'application/json', ...requestIdHeader() }, signal }),
    );
    const text = await response.text();
    if (response.ok) return decode(() => JSON.parse(text) as unknown);
    throw failureOf(response, text, notFound);
  }
}

function failureOf(response: Response, text: string, notFound?: () => DomainError): Error {
  const { status } = response;
  if (status === 404 && notFound) return notFound();
  const detail = `the partner answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  if (status === 429 || status >= 500) {
    const kind = status === 429 ? 'rate-limited' : 'server-error';
    return new PartnerAttemptError(kind, detail, { status, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) });
  }
  return new PartnerRejectedError(`The partner catalogue refused the request: ${detail}`, status);
}

function decode<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new PartnerAttemptError('bad-response', `unusable body: ${(error as Error).message}`, { cause: error });
  }
}
