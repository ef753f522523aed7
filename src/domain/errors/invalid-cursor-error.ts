import { DomainError } from './domain-error.js';

export class InvalidCursorError extends DomainError {
  readonly code = 'INVALID_CURSOR';
}
