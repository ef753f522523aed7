import { DomainError } from './domain-error.js';

/** The partner's catalogue has no product with this sku. */
export class PartnerProductNotFoundError extends DomainError {
  readonly code = 'PARTNER_PRODUCT_NOT_FOUND';

  constructor(readonly sku: string) {
    super(`The partner catalogue has no product ${sku}`);
  }
}
