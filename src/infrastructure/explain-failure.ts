import { inspect } from 'node:util';
import type { Config } from './load-config.js';

type Settings = Partial<Pick<Config, 'DATABASE_URL' | 'REDIS_URL' | 'SQLITE_FILE' | 'PORT'>>;

interface Failure {
  readonly code?: string;
  readonly errno?: number;
  readonly address?: string;
  readonly port?: number;
  readonly syscall?: string;
  readonly path?: string;
  readonly hostname?: string;
  readonly message: string;
}

/**
 * One line for a person: what failed and what to do, for the failures people meet when starting
 * the service or a CLI (nothing listening, wrong password, no such database, port taken, ...).
 * Anything else: the first line of its message. Never a stack trace.
 */
export function explainFailure(error: unknown, settings: Settings = {}): string {
  const failures = causesOf(error);
  for (const failure of failures) {
    const explained = explainOne(failure, settings);
    if (explained) return explained;
  }
  return firstLine(failures[0]?.message ?? String(error));
}

function explainOne(failure: Failure, settings: Settings): string | undefined {
  const database = settings.DATABASE_URL ? `MariaDB/MySQL at ${hostOf(settings.DATABASE_URL)}` : undefined;
  const target = (): string => {
    const at = failure.address && failure.port ? `${failure.address}:${failure.port}` : undefined;
    if (settings.REDIS_URL && failure.port !== undefined && String(failure.port) === portOf(settings.REDIS_URL, 6379))
      return `Redis at ${hostOf(settings.REDIS_URL)} (REDIS_URL)`;
    if (database && failure.port !== undefined && String(failure.port) === portOf(settings.DATABASE_URL!, 3306))
      return `${database} (DATABASE_URL)`;
    if (failure.hostname) {
      if (settings.DATABASE_URL && new URL(settings.DATABASE_URL).hostname === failure.hostname) return `${database} (DATABASE_URL)`;
      if (settings.REDIS_URL && new URL(settings.REDIS_URL).hostname === failure.hostname)
        return `Redis at ${hostOf(settings.REDIS_URL)} (REDIS_URL)`;
      return failure.hostname;
    }
    return at ?? 'the server';
  };
  switch (failure.code ?? '') {
    case 'ECONNREFUSED':
      return `cannot connect to ${target()}: connection refused; start it, or correct the host and port`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host name of ${target()} (${failure.code}); check the host in the URL`;
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return `${target()} did not answer (${failure.code}); check that it runs and that no firewall is in the way`;
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return `${database ?? 'the database'} refused the user name or password (access denied); correct the credentials in DATABASE_URL (mysql://user:password@host:3306/name, URL-encoded)`;
    case 'ER_DBACCESS_DENIED_ERROR':
      return `${database ?? 'the database'}: the user may not use or create this database (${firstLine(failure.message)}); create it as an administrator, or GRANT ALL ON \`name\`.* to the user`;
    case 'ER_BAD_DB_ERROR':
      return `${database ?? 'the database'}: ${firstLine(failure.message)}; create it (CREATE DATABASE name) or correct the name in DATABASE_URL`;
    case 'EADDRINUSE':
      return `port ${failure.port ?? settings.PORT} is already in use by another process; stop that process or set PORT to a free port`;
    case 'EACCES':
      if (failure.syscall === 'listen')
        return `not allowed to listen on port ${failure.port ?? settings.PORT}; use a port of 1024 or more (PORT) and let a reverse proxy hold 80/443`;
      return `permission denied on ${failure.path ?? 'a file'}; check that the service's user may write there (SQLITE_FILE's directory)`;
    case 'SQLITE_CANTOPEN':
      return `cannot open the SQLite file ${settings.SQLITE_FILE ?? ''} (${firstLine(failure.message)}); check that its directory exists and is writable, or set SQLITE_FILE`;
    default:
      break;
  }
  if (/Timeout acquiring a connection/.test(failure.message)) {
    return `${database ?? 'the database'} did not give a connection in time; check that it runs and accepts connections`;
  }
  if (/migration directory is corrupt/.test(failure.message)) {
    return `the database has migrations this build does not contain (${firstLine(failure.message)}); run the build that applied them, or a newer one`;
  }
  return undefined;
}

/** The error, its causes and, for AggregateError (several addresses tried), each inner error. */
function causesOf(error: unknown, depth = 0): Failure[] {
  if (depth > 5 || typeof error !== 'object' || error === null) return error === undefined ? [] : [{ message: inspect(error) }];
  const failure = error as Partial<Failure> & { cause?: unknown; errors?: unknown[] };
  return [
    { ...failure, message: typeof failure.message === 'string' ? failure.message : inspect(error) },
    ...(Array.isArray(failure.errors) ? failure.errors.flatMap((inner) => causesOf(inner, depth + 1)) : []),
    ...(failure.cause !== undefined ? causesOf(failure.cause, depth + 1) : []),
  ];
}

function hostOf(url: string) {
  const parsed = new URL(url);
  return parsed.host;
}

function portOf(url: string, fallback: number) {
  return new URL(url).port || String(fallback);
}

function firstLine(message: string) {
  const line = message.split('\n')[0].trim();
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}
