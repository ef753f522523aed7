import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError } from '../../domain/errors/webhook-signature-error.js';

export interface WebhookSignatureHeaders {
  /** `webhook-id`; empty when absent. */
  readonly id: string;
  /** `webhook-timestamp`, whole seconds since the epoch; empty when absent. */
  readonly timestamp: string;
  /** `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256>` entries; empty when absent. */
  readonly signature: string;
}

const SECRET_PREFIX = 'whsec_';

/**
 * Standard Webhooks signatures: HMAC-SHA256 over `<id>.<timestamp>.<raw body bytes>` with any
 * configured secret (several during a rotation), compared in constant time, and a timestamp no
 * further than the tolerance from now, either way, so a captured delivery cannot be replayed later.
 */
export class StandardWebhookVerifier {
  private readonly keys: readonly Buffer[];

  constructor(
    secrets: readonly string[],
    private readonly toleranceSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = secrets.map(signingKey);
  }

  /**
   * The checks that need no body, so a delivery that cannot be genuine is refused before a byte of
   * it is read: a secret is configured, the three headers are present, the timestamp is within the
   * tolerance. Throws WebhookSignatureError.
   */
  checkHeaders({ id, timestamp, signature }: WebhookSignatureHeaders): void {
    if (this.keys.length === 0) {
      throw new WebhookSignatureError('This server has no webhook signing secret configured; no delivery can be verified.');
    }
    if (!id || !timestamp || !signature) {
      throw new WebhookSignatureError('The webhook-id, webhook-timestamp and webhook-signature headers are all required.');
    }
    if (!/^\d{1,12}$/.test(timestamp)) {
      throw new WebhookSignatureError('webhook-timestamp must be whole seconds since the Unix epoch.');
    }
    if (Math.abs(this.now() / 1000 - Number(timestamp)) > this.toleranceSeconds) {
      throw new WebhookSignatureError(`webhook-timestamp is more than ${this.toleranceSeconds} seconds away from now.`);
    }
  }

  /** Throws WebhookSignatureError unless `body` was signed, recently, with one of the secrets. */
  verify(headers: WebhookSignatureHeaders, body: Buffer): void {
    this.checkHeaders(headers);
    const { id, timestamp, signature } = headers;
    const offered = signature
      .split(' ')
      .filter((entry) => entry.startsWith('v1,'))
      .map((entry) => Buffer.from(entry.slice(3), 'base64'));
    let matched = false;
    for (const key of this.keys) {
      const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
      for (const candidate of offered) {
        if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
      }
    }
    if (!matched) throw new WebhookSignatureError('No v1 signature in webhook-signature matches a configured secret.');
  }
}

/** `whsec_<base64>` is the Standard Webhooks form (the key is the decoded bytes); anything else is used as text. */
export function signingKey(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX) ? Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64') : Buffer.from(secret, 'utf8');
}
