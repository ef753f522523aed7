import { setTimeout as delay } from 'node:timers/promises';
import type { MockStats } from './mock-stats.js';
import type { WirePartnerEvent } from './partner-event-wire.js';
import { webhookHeaders } from './sign-webhook.js';

export interface WebhookSenderSettings {
  /** Deliveries are signed with each of these (one v1 signature per secret). */
  readonly secrets: readonly string[];
  /** Attempts per delivery before giving up. */
  readonly maxAttempts: number;
  /** Backoff before attempt n+1: a random wait up to min(max, base * 2^(n-1)), or the answer's Retry-After. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly timeoutMs: number;
}

export interface Delivery {
  readonly url: string;
  readonly event: WirePartnerEvent;
}

export type DeliveryResult = 'acknowledged' | 'gave-up' | 'cancelled';

/**
 * At-least-once delivery, as a partner does it: every attempt is freshly signed, keeps the message
 * id (`msg_<event id>`), and is repeated with backoff until a 2xx answer. Counts each answer by
 * status under `webhooks.responses.<status>` (`network-error` when there was none).
 */
export class WebhookSender {
  constructor(
    private readonly settings: WebhookSenderSettings,
    private readonly stats: MockStats,
    /** False once the mock is reset: remaining attempts are dropped. */
    private readonly live: () => boolean,
  ) {}

  /** Sends every delivery, `concurrency` at a time, in the order given. */
  async sendAll(deliveries: readonly Delivery[], concurrency: number): Promise<Record<DeliveryResult, number>> {
    const results: Record<DeliveryResult, number> = { acknowledged: 0, 'gave-up': 0, cancelled: 0 };
    let next = 0;
    const worker = async () => {
      while (next < deliveries.length) {
        results[await this.send(deliveries[next++])] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    return results;
  }

  async send({ url, event }: Delivery): Promise<DeliveryResult> {
    const body = JSON.stringify(event);
    for (let attempt = 1; attempt <= this.settings.maxAttempts; attempt += 1) {
      if (!this.live()) return 'cancelled';
      let waitMs = this.backoff(attempt);
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: webhookHeaders(this.settings.secrets, body, { id: `msg_${event.id}` }),
          body,
          signal: AbortSignal.timeout(this.settings.timeoutMs),
        });
        await response.arrayBuffer();
        this.stats.increment(`webhooks.responses.${response.status}`);
        if (response.ok) {
          this.stats.increment('webhooks.acknowledged');
          return 'acknowledged';
        }
        const retryAfter = Number(response.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter > 0) waitMs = retryAfter * 1000;
      } catch {
        this.stats.increment('webhooks.responses.network-error');
      }
      if (attempt < this.settings.maxAttempts) await delay(waitMs);
    }
    this.stats.increment('webhooks.gaveUp');
    return 'gave-up';
  }

  private backoff(attempt: number) {
    const { backoffBaseMs, backoffMaxMs } = this.settings;
    return Math.random() * Math.min(backoffMaxMs, backoffBaseMs * 2 ** (attempt - 1));
  }
}
