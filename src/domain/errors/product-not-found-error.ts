import { DomainError } from './domain-error.js';

export class ProductNotFoundError extends DomainError {
  readonly code = 'PRODUCT_NOT_FOUND';

  constructor(readonly productId: string) {
    super(`No product with id ${productId}`);
  }
}
