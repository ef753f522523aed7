import { DeadlineExceededError } from '../../domain/errors/deadline-exceeded-error.js';
import { WorkCancelledError } from '../../domain/errors/work-cancelled-error.js';

/** What a request's aborted signal means for work it was waiting on: past its deadline, or cancelled (its client left). */
export function requestEnded(signal: AbortSignal, cause?: unknown) {
  const reason = signal.reason as { name?: string; message?: string } | undefined;
  if (reason?.name === 'TimeoutError')
    return new DeadlineExceededError(reason.message ?? 'The request ran past its deadline.', 1, { cause });
  return new WorkCancelledError(reason?.message ?? 'The request was cancelled.', 1, { cause });
}
