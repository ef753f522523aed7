import { DomainError } from './domain-error.js';

/** A text that is not a rupee amount with at most 9 digits before the point and 2 after it. */
export class InvalidPriceError extends DomainError {
  readonly code = 'INVALID_PRICE';

  constructor(readonly text: string) {
    super(`${JSON.stringify(text.slice(0, 40))} is not a decimal rupee amount like 12.50`);
  }
}
