import { createHmac, randomUUID } from 'node:crypto';

/**
 * Standard Webhooks signing, as a partner does it: `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>`,
 * where the key of a `whsec_<base64>` secret is its decoded bytes. Written apart from the service's
 * verifier on purpose, so tests check one against the other.
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string | Buffer): string {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

export interface SignOptions {
  /** Defaults to a fresh msg_ id. */
  readonly id?: string;
  /** Seconds since the epoch; defaults to now. */
  readonly timestampSeconds?: number;
}

/** The headers of one signed delivery; one v1 signature per secret (as during a rotation). */
export function webhookHeaders(secrets: readonly string[], body: string | Buffer, options: SignOptions = {}): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestampSeconds ?? Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((secret) => signWebhook(secret, id, timestamp, body)).join(' '),
  };
}
