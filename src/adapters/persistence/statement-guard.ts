import type { Knex } from 'knex';
import { DeadlineExceededError } from '../../domain/errors/deadline-exceeded-error.js';
import { DependencyUnavailableError } from '../../domain/errors/dependency-unavailable-error.js';
import { OverloadedError } from '../../domain/errors/overloaded-error.js';
import { WorkCancelledError } from '../../domain/errors/work-cancelled-error.js';
import { requestScope } from '../shared/request-scope.js';
import { requestEnded } from '../shared/request-ended.js';

/** The part of a mysql2 connection this guard uses. */
interface DriverConnection {
  readonly threadId: number | null;
  destroy(): void;
}

interface RunningStatement {
  readonly connection: DriverConnection;
  killed?: Promise<void>;
  why?: 'request' | 'shutdown';
}

/** Knex's client, with the two internal methods every statement goes through. */
interface GuardedClient {
  _query(connection: DriverConnection, statement: unknown): Promise<unknown>;
  acquireConnection(): Promise<DriverConnection>;
  pool?: { numUsed(): number; max: number };
}

export interface StatementGuardOptions {
  /** The guarded pool's name in errors and the shed metric: 'catalogue-reads', 'event-writes'. */
  readonly bulkhead: string;
  /** The pool's per-session max_statement_time, for the error message. */
  readonly statementTimeoutMs: number;
}

// MariaDB's max_statement_time, and MySQL's max_execution_time.
const STATEMENT_TIMEOUT_ERRNOS = new Set([1969, 3024]);
const QUERY_INTERRUPTED_ERRNO = 1317;
// Knex prefixes the SQL to the message of whatever a statement throws, so the translated error
// rides on the driver's error and databaseCall hands it on untouched.
const TRANSLATED = Symbol('translated');

/**
 * Makes every statement on MySQL/MariaDB pools cancellable and tells apart why one did not run.
 *
 * A statement started inside a request scope is cancelled with `KILL QUERY <thread id>`, sent on a
 * separate small pool (`killer`), when the request's signal aborts (client gone, request deadline).
 * Its connection goes back to the pool only after the KILL has landed, so a late KILL can never hit
 * the next borrower's statement. `cancelAll` does the same for every running statement (shutdown).
 *
 * Errors: a pool that stays full for its acquire timeout is OverloadedError (the database answers,
 * this process has no connection free), unless connections could not be made (the database is
 * unreachable: DependencyUnavailableError); a statement past its max_statement_time, or killed
 * because its request's deadline passed, is DeadlineExceededError; killed because its client left
 * or the instance is stopping, WorkCancelledError.
 *
 * It wraps two internal methods of Knex 3's client (`_query`, `acquireConnection`), through which
 * Knex's query builder, transactions and the repository's direct driver calls all pass; a Knex
 * upgrade must keep test/integration/statement-guard.test.ts green.
 */
export class StatementGuard {
  private readonly running = new Set<RunningStatement>();
  // One abort listener per request (kept until the request and its signal are gone), rather than an
  // EventTarget add and remove per statement.
  private readonly byRequest = new WeakMap<AbortSignal, Set<RunningStatement>>();

  constructor(private readonly killer: Knex) {}

  guard(knex: Knex, options: StatementGuardOptions): void {
    const client = knex.client as GuardedClient;
    const query = client._query.bind(client);
    const acquire = client.acquireConnection.bind(client);
    client._query = (connection, statement) => this.run(connection, sqlOf(statement), options, () => query(connection, statement));
    client.acquireConnection = async () => {
      try {
        return await acquire();
      } catch (error) {
        throw acquireError(error, client, options);
      }
    };
  }

  /** What a guarded statement's failure means (OverloadedError, DeadlineExceededError, ...), or the error itself. */
  static meaningOf(error: unknown): unknown {
    return (typeof error === 'object' && error !== null && (error as { [TRANSLATED]?: unknown })[TRANSLATED]) || error;
  }

  /** Cancels every running statement (KILL QUERY) and waits until the kills have landed. */
  async cancelAll(): Promise<void> {
    await Promise.all([...this.running].map((statement) => this.cancel(statement, 'shutdown')));
  }

  /** Closes the connections of statements still running: the last resort of a bounded shutdown. */
  destroyRunning(): void {
    for (const { connection } of this.running) connection.destroy();
  }

  private async run<T>(connection: DriverConnection, sql: string, options: StatementGuardOptions, statement: () => Promise<T>): Promise<T> {
    // A rollback always runs: skipping it would hand a connection back with its locks held.
    const signal = isRollback(sql) ? undefined : requestScope.current()?.signal;
    if (signal?.aborted)
      throw Object.assign(new Error('The request ended before the statement started.'), { [TRANSLATED]: requestEnded(signal) });
    const entry: RunningStatement = { connection };
    const ofRequest = signal && this.statementsOf(signal);
    ofRequest?.add(entry);
    this.running.add(entry);
    try {
      return await statement();
    } catch (error) {
      const meaning = statementError(error, entry, signal, options);
      if (meaning !== error && typeof error === 'object' && error !== null) Object.assign(error, { [TRANSLATED]: meaning });
      throw error;
    } finally {
      ofRequest?.delete(entry);
      this.running.delete(entry);
      if (entry.killed) await entry.killed;
    }
  }

  private statementsOf(signal: AbortSignal): Set<RunningStatement> {
    let statements = this.byRequest.get(signal);
    if (!statements) {
      const running = new Set<RunningStatement>();
      signal.addEventListener('abort', () => running.forEach((entry) => void this.cancel(entry, 'request')), { once: true });
      this.byRequest.set(signal, running);
      statements = running;
    }
    return statements;
  }

  private cancel(entry: RunningStatement, why: 'request' | 'shutdown'): Promise<void> {
    const { threadId } = entry.connection;
    if (!entry.killed && threadId !== null) {
      entry.why = why;
      // KILL QUERY takes no placeholder; threadId is a number from the driver's handshake.
      entry.killed = this.killer
        .raw(`KILL QUERY ${Number(threadId)}`)
        .then(() => undefined)
        .catch(() => entry.connection.destroy());
    }
    return entry.killed ?? Promise.resolve();
  }
}

function sqlOf(statement: unknown): string {
  if (typeof statement === 'string') return statement;
  const sql = (statement as { sql?: unknown } | undefined)?.sql;
  return typeof sql === 'string' ? sql : '';
}

function isRollback(sql: string) {
  return /^\s*ROLLBACK\b/i.test(sql);
}

function acquireError(error: unknown, client: GuardedClient, options: StatementGuardOptions): unknown {
  if ((error as { name?: string }).name !== 'KnexTimeoutError') return error;
  const pool = client.pool;
  // Every connection busy: the database answers, this bulkhead is full. Otherwise connections
  // could not be made within the wait: the database is not answering.
  if (pool && pool.numUsed() >= pool.max) return new OverloadedError(options.bulkhead, 1, { cause: error });
  return new DependencyUnavailableError('database', { cause: error, retryAfterSeconds: 2 });
}

function statementError(error: unknown, entry: RunningStatement, signal: AbortSignal | undefined, options: StatementGuardOptions): unknown {
  const errno = (error as { errno?: number }).errno;
  if (errno !== undefined && STATEMENT_TIMEOUT_ERRNOS.has(errno)) {
    return new DeadlineExceededError(`A database statement ran past its ${options.statementTimeoutMs} ms limit and was stopped.`, 1, {
      cause: error,
    });
  }
  if (!entry.why) return error;
  if (entry.why === 'shutdown')
    return new WorkCancelledError('The instance is shutting down; the statement was cancelled.', 1, { cause: error });
  if (errno === QUERY_INTERRUPTED_ERRNO || signal?.aborted) return requestEnded(signal!, error);
  return error;
}
