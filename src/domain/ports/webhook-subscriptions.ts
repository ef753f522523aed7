export interface WebhookSubscription {
  /** Where the partner delivers events: this service's public POST /api/webhooks/partner. */
  readonly url: string;
  readonly eventTypes: readonly string[];
}

export type SubscriptionResult = 'created' | 'already-registered';

/** The partner's webhook subscriptions (API B). */
export interface WebhookSubscriptions {
  /**
   * Makes sure the partner delivers `eventTypes` to `subscription.url`. Idempotent: the partner
   * keys subscriptions by URL, so registering the same URL again is `already-registered` and
   * changes nothing. Throws DependencyUnavailableError when the partner (or its token endpoint)
   * cannot answer now, PartnerRejectedError when it refuses the subscription.
   */
  register(subscription: WebhookSubscription): Promise<SubscriptionResult>;
}
