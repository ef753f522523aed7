import { PartnerUnavailableError } from '../../domain/errors/partner-unavailable-error.js';
import type { ExternalCatalog, LiveProduct, PartnerCatalogPage } from '../../domain/ports/external-catalog.js';

/** Bound when PARTNER_API_URL is not set: every call fails with a clear domain error, nothing crashes. */
export class UnconfiguredExternalCatalog implements ExternalCatalog {
  async getProduct(): Promise<LiveProduct> {
    throw notConfigured();
  }

  async listProducts(): Promise<PartnerCatalogPage> {
    throw notConfigured();
  }
}

function notConfigured() {
  return new PartnerUnavailableError('not-configured', {
    attempts: 0,
    retryAfterMs: 60_000,
    cause: new Error('PARTNER_API_URL is not set (`npm start` runs the bundled mock partner and sets it)'),
  });
}
