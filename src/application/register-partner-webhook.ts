import { inject, injectable } from 'inversify';
import type { SubscriptionResult, WebhookSubscriptions } from '../domain/ports/webhook-subscriptions.js';
import { PRODUCT_CHANGE_TYPES } from '../domain/product-change.js';
import { TYPES } from '../types.js';

export interface RegisterPartnerWebhookInput {
  /** This service's public POST /api/webhooks/partner URL. */
  readonly callbackUrl: string;
}

/** Subscribes this service to the partner's product events; running it again changes nothing. */
@injectable()
export class RegisterPartnerWebhook {
  constructor(@inject(TYPES.WebhookSubscriptions) private readonly subscriptions: WebhookSubscriptions) {}

  execute({ callbackUrl }: RegisterPartnerWebhookInput): Promise<SubscriptionResult> {
    return this.subscriptions.register({ url: callbackUrl, eventTypes: PRODUCT_CHANGE_TYPES });
  }
}
