import { DependencyUnavailableError } from '../../domain/errors/dependency-unavailable-error.js';
import type { SubscriptionResult, WebhookSubscriptions } from '../../domain/ports/webhook-subscriptions.js';

/** Bound when PARTNER_API_URL is not set: registering fails with a clear error, nothing crashes. */
export class UnconfiguredWebhookSubscriptions implements WebhookSubscriptions {
  async register(): Promise<SubscriptionResult> {
    throw new DependencyUnavailableError('partner webhook subscriptions (PARTNER_API_URL is not set)');
  }
}
