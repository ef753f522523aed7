import { DomainError } from './domain-error.js';

/** The event is being processed by another delivery right now; retry after the holder's lease. */
export class EventInProgressError extends DomainError {
  readonly code = 'EVENT_IN_PROGRESS';

  constructor(
    readonly eventId: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`Event ${eventId} is being processed by another delivery; retry in ${retryAfterSeconds} s`);
  }
}
