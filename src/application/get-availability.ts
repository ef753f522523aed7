import { inject, injectable } from 'inversify';
import { DependencyUnavailableError } from '../domain/errors/dependency-unavailable-error.js';
import { DomainError } from '../domain/errors/domain-error.js';
import { PartnerProductNotFoundError } from '../domain/errors/partner-product-not-found-error.js';
import { PartnerUnavailableError } from '../domain/errors/partner-unavailable-error.js';
import { ProductNotFoundError } from '../domain/errors/product-not-found-error.js';
import { TokenRequestRejectedError } from '../domain/errors/token-request-rejected-error.js';
import { TokenUnavailableError } from '../domain/errors/token-unavailable-error.js';
import type { ExternalCatalog } from '../domain/ports/external-catalog.js';
import type { AvailabilitySnapshot, LastKnownAvailability } from '../domain/ports/last-known-availability.js';
import type { Logger } from '../domain/ports/logger.js';
import type { ProductRepository } from '../domain/ports/product-repository.js';
import { TYPES } from '../types.js';

export interface Availability extends AvailabilitySnapshot {
  readonly productId: number;
  /** True when the partner could not answer and these are the last known good values. */
  readonly stale: boolean;
}

/**
 * Live price and stock of one product from the partner. When the partner fails, the last known
 * good values, marked stale; when none are known, DependencyUnavailableError (503 with Retry-After).
 */
@injectable()
export class GetAvailability {
  constructor(
    @inject(TYPES.ProductRepository) private readonly products: ProductRepository,
    @inject(TYPES.ExternalCatalog) private readonly catalog: ExternalCatalog,
    @inject(TYPES.LastKnownAvailability) private readonly lastKnown: LastKnownAvailability,
    @inject(TYPES.Logger) private readonly logger: Logger,
  ) {}

  async execute(productId: number): Promise<Availability> {
    const product = await this.products.findById(productId);
    if (!product) throw new ProductNotFoundError(String(productId));
    try {
      const live = await this.catalog.getProduct(product.sku);
      const snapshot = { sku: product.sku, pricePaise: live.product.pricePaise, stock: live.product.stock, asOf: live.asOf };
      await this.lastKnown
        .remember(snapshot)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'could not keep last known availability'));
      return { productId, ...snapshot, stale: false };
    } catch (error) {
      if (error instanceof PartnerProductNotFoundError || !(error instanceof DomainError)) throw error;
      const known = await this.lastKnown.recall(product.sku).catch(() => null);
      if (known) return { productId, ...known, stale: true };
      throw unavailable(error);
    }
  }
}

/** Names the side that failed (the token endpoint or the partner) and the wait in force on that side. */
function unavailable(error: DomainError): DependencyUnavailableError {
  const tokenSide = error instanceof TokenUnavailableError || error instanceof TokenRequestRejectedError;
  const waitMs = error instanceof PartnerUnavailableError || error instanceof TokenRequestRejectedError ? error.retryAfterMs : 0;
  const notConfigured = error instanceof PartnerUnavailableError && error.reason === 'not-configured';
  const side = notConfigured
    ? 'partner catalogue (not configured on this server)'
    : tokenSide
      ? 'partner authorisation server (token endpoint)'
      : 'partner catalogue';
  return new DependencyUnavailableError(side, {
    cause: error,
    retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
  });
}
