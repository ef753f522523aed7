import { DependencyUnavailableError } from '../../domain/errors/dependency-unavailable-error.js';
import { StatementGuard } from './statement-guard.js';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'SQLITE_BUSY',
]);

/**
 * Runs a database call and says what its failure means: what the statement guard found (a full
 * pool is OverloadedError, a statement past its deadline DeadlineExceededError, a cancelled one
 * WorkCancelledError), "cannot reach the database" DependencyUnavailableError (a 503 the client
 * may retry), and every other failure, a bug, stays what it is.
 */
export async function databaseCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const meaning = StatementGuard.meaningOf(error);
    if (meaning !== error) throw meaning;
    if (isUnreachable(error)) throw new DependencyUnavailableError('database', { cause: error, retryAfterSeconds: 2 });
    throw error;
  }
}

function isUnreachable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: string; code?: string };
  return name === 'KnexTimeoutError' || (code !== undefined && CONNECTION_CODES.has(code));
}
