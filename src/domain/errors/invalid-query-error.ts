import { DomainError } from './domain-error.js';

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** A request that is well-formed but breaks a business rule (for example minPrice above maxPrice). */
export class InvalidQueryError extends DomainError {
  readonly code = 'INVALID_QUERY';

  constructor(readonly issues: readonly FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
  }
}
