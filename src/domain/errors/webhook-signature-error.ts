import { DomainError } from './domain-error.js';

/** A webhook delivery whose signature headers are missing, stale or match no configured secret. */
export class WebhookSignatureError extends DomainError {
  readonly code = 'WEBHOOK_SIGNATURE_INVALID';
}
