import type { Config } from './load-config.js';

/** The bundled mock partner signs with this by default; it is printed in the README, so anyone can sign with it. */
export const DEVELOPMENT_WEBHOOK_SECRET = 'whsec_ZmFybWxva2FsLWRldi13ZWJob29rLXNlY3JldA==';

/**
 * Published secrets the service refuses outside development (a DATABASE_URL without
 * PARTNER_MODE=mock): with them anyone could sign a cursor or a partner webhook. One line per key,
 * saying how to make a real secret.
 */
export function developmentSecretProblems(
  config: Pick<Config, 'development' | 'usesDevelopmentCursorSecret' | 'WEBHOOK_SECRETS'>,
): string[] {
  if (config.development) return [];
  const problems: string[] = [];
  if (config.usesDevelopmentCursorSecret) {
    problems.push(
      'CURSOR_SECRET: unset, so the published development default would sign page cursors; set your own, the same on every instance (make one: openssl rand -hex 32)',
    );
  }
  const published = config.WEBHOOK_SECRETS.findIndex((secret) => secret === DEVELOPMENT_WEBHOOK_SECRET);
  if (published !== -1) {
    problems.push(
      `WEBHOOK_SECRETS: secret ${published + 1} is the mock partner's published development secret; use the one your partner issued (or make one: echo "whsec_$(openssl rand -base64 32)"), or set PARTNER_MODE=mock for a development deployment`,
    );
  }
  return problems;
}
