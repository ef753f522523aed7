import { DependencyUnavailableError } from '../../domain/errors/dependency-unavailable-error.js';
import { DomainError } from '../../domain/errors/domain-error.js';
import { PartnerRejectedError } from '../../domain/errors/partner-rejected-error.js';
import type { TokenProvider } from '../../domain/ports/token-provider.js';
import type { SubscriptionResult, WebhookSubscription, WebhookSubscriptions } from '../../domain/ports/webhook-subscriptions.js';
import { callWithToken } from './call-with-token.js';

export interface HttpWebhookSubscriptionsSettings {
  /** PARTNER_API_URL; the subscription endpoint is <baseUrl>/v1/webhook-subscriptions. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
}

/** POST /v1/webhook-subscriptions with a bearer token: 201 created, 200 (or 409) already registered. */
export class HttpWebhookSubscriptions implements WebhookSubscriptions {
  private readonly endpoint: string;

  private readonly timeoutMs: number;

  constructor(
    settings: HttpWebhookSubscriptionsSettings,
    private readonly tokens: TokenProvider,
  ) {
    this.endpoint = `${settings.baseUrl.replace(/\/+$/, '')}/v1/webhook-subscriptions`;
    this.timeoutMs = settings.timeoutMs;
  }

  async register(subscription: WebhookSubscription): Promise<SubscriptionResult> {
    const body = JSON.stringify({ url: subscription.url, eventTypes: subscription.eventTypes });
    let response: Response;
    try {
      response = await callWithToken(this.tokens, (authorization) =>
        fetch(this.endpoint, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        }),
      );
    } catch (error) {
      // Token errors are domain errors already; anything else is the network or the timeout.
      if (error instanceof DomainError) throw error;
      throw new DependencyUnavailableError('partner webhook subscriptions', { cause: error, retryAfterSeconds: 5 });
    }
    const text = await response.text();
    if (response.status === 201) return 'created';
    if (response.status === 200 || response.status === 409) return 'already-registered';
    const detail = `the partner answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    if (response.status === 429 || response.status >= 500) {
      throw new DependencyUnavailableError('partner webhook subscriptions', { cause: new Error(detail), retryAfterSeconds: 5 });
    }
    throw new PartnerRejectedError(`The partner refused the webhook subscription: ${detail}`, response.status);
  }
}
