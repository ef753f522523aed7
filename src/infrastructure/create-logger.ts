import { pino, type Logger } from 'pino';
import { requestScope } from '../adapters/shared/request-scope.js';
import type { Config } from './load-config.js';

// Anything that could hold a credential is replaced before a line is written.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.accessToken',
  '*.access_token',
  '*.token',
  // `*.x` matches one level down only; the same keys at the top level of a log line:
  'authorization',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'accessToken',
  'access_token',
  'token',
  'config.CURSOR_SECRET',
  'config.OAUTH_CLIENT_SECRET',
  'config.WEBHOOK_SECRETS',
];

export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level: config.LOG_LEVEL,
      base: { pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Every line written while serving a request carries its id, whichever logger wrote it.
      mixin: () => {
        const scope = requestScope.current();
        return scope ? { requestId: scope.requestId } : {};
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}
