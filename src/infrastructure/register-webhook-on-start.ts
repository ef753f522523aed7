import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type RegisterPartnerWebhook } from '../application/register-partner-webhook.js';
import { DependencyUnavailableError } from '../domain/errors/dependency-unavailable-error.js';
import type { Config } from './load-config.js';

const MAX_WAIT_MS = 60_000;

/**
 * Registers WEBHOOK_PUBLIC_URL with the partner in the background: the service serves meanwhile,
 * a partner that cannot answer yet is asked again with backoff (until `signal` aborts at shutdown),
 * and a refusal is logged once, not retried. Every instance may run it: registering is idempotent.
 */
export async function registerWebhookOnStart(
  config: Config,
  register: RegisterPartnerWebhook,
  logger: Logger,
  signal: AbortSignal,
  firstRetryMs = 1_000,
): Promise<void> {
  if (!config.WEBHOOK_REGISTER_ON_START) return;
  const callbackUrl = config.WEBHOOK_PUBLIC_URL;
  if (!callbackUrl || !config.PARTNER_API_URL) {
    logger.info('partner webhook registration skipped: set WEBHOOK_PUBLIC_URL and PARTNER_API_URL to register on start');
    return;
  }
  for (let attempt = 1; !signal.aborted; attempt += 1) {
    try {
      const result = await register.execute({ callbackUrl });
      logger.info({ callbackUrl, result }, 'partner webhook registered');
      return;
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError)) {
        logger.error({ err: error, callbackUrl }, 'the partner refused the webhook registration; not retrying');
        return;
      }
      const waitMs = Math.min(MAX_WAIT_MS, firstRetryMs * 2 ** (attempt - 1));
      logger.warn({ err: error, callbackUrl, retryInMs: waitMs }, 'partner webhook registration failed; retrying');
      await delay(waitMs, undefined, { signal }).catch(() => undefined);
    }
  }
}
