import { DomainError } from './domain-error.js';

/** The partner refused the request (a 4xx other than 404 and 429) or answered something unusable. Not retried. */
export class PartnerRejectedError extends DomainError {
  readonly code = 'PARTNER_REJECTED';

  constructor(
    message: string,
    readonly partnerStatus: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
