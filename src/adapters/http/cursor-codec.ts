import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { InvalidCursorError } from '../../domain/errors/invalid-cursor-error.js';
import type { KeysetPosition } from '../../domain/product-query.js';

/**
 * What a cursor may hold, checked even after the signature matched: a signature proves who made a
 * cursor, not that its shape is what this build expects (the secret may have leaked, or an older
 * build signed another shape), and the position goes into SQL as a value.
 */
const CursorPayloadSchema = z
  .object({
    /** Fingerprint of the sort, order and filters the cursor was issued for. */
    f: z.string().max(256),
    v: z.union([z.number().finite(), z.string().max(1_024)]),
    i: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  })
  .strict();

type CursorPayload = z.infer<typeof CursorPayloadSchema>;

/**
 * Opaque, tamper-evident page cursors: base64url(JSON).base64url(HMAC-SHA256), bound to the
 * listing they were issued for, so one cannot be edited or replayed against another query.
 */
export class CursorCodec {
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret));
  }

  encode(position: KeysetPosition, fingerprint: string): string {
    const payload: CursorPayload = { f: fingerprint, v: position.value, i: position.id };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body).toString('base64url')}`;
  }

  decode(cursor: string, fingerprint: string): KeysetPosition {
    const [body, signature, extra] = cursor.split('.');
    if (!body || !signature || extra !== undefined) throw new InvalidCursorError('cursor is malformed');
    const expected = this.sign(body);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new InvalidCursorError('cursor has been tampered with or was not issued by this service');
    }
    const payload = parsePayload(body);
    if (payload.f !== fingerprint) {
      throw new InvalidCursorError('cursor was issued for a different sort, order or filter; start again without it');
    }
    return { value: payload.v, id: payload.i };
  }

  private sign(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }
}

function parsePayload(body: string): CursorPayload {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('cursor is malformed');
  }
  const parsed = CursorPayloadSchema.safeParse(json);
  if (!parsed.success) throw new InvalidCursorError('cursor is malformed');
  return parsed.data;
}
