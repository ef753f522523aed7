import { z } from 'zod';
import type { ResponseSpec, RouteSpec } from '../route-spec.js';
import { PartnerEventEnvelopeSchema } from '../../schemas/partner-event-schemas.js';
import { PartnerWebhookResultSchema } from '../../schemas/partner-webhook-response-schema.js';
import { ProblemSchema } from '../../schemas/problem-schema.js';

// Documentation of the Standard Webhooks headers; StandardWebhookVerifier is what enforces them.
const WebhookHeadersSchema = z.object({
  'webhook-id': z.string().min(1).describe('The event id; every redelivery of an event repeats it.'),
  'webhook-timestamp': z
    .string()
    .regex(/^\d{1,12}$/)
    .describe('Seconds since the epoch; must be within the tolerance of now.'),
  'webhook-signature': z.string().min(1).describe('Space-separated `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body bytes>">` entries.'),
});

const problem = (description: string, retryAfter?: string): ResponseSpec => ({
  description,
  contentType: 'application/problem+json',
  schema: ProblemSchema,
  ...(retryAfter ? { headers: { 'Retry-After': { description: retryAfter } } } : {}),
});

export function partnerWebhookRouteSpecs(bodyLimitBytes: number): readonly RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/api/webhooks/partner',
      operationId: 'receivePartnerEvent',
      summary: 'Receive a signed partner event (Standard Webhooks), applied exactly once',
      description:
        'Types applied: product.upserted, product.price_changed, product.stock_changed, product.deleted; other types are acknowledged and ignored. ' +
        'Rate limited per sender (client address) on a budget separate from the public API.',
      tags: ['Partner webhooks'],
      request: {
        headers: WebhookHeadersSchema,
        body: {
          schema: PartnerEventEnvelopeSchema,
          limitBytes: bodyLimitBytes,
          example: {
            id: 'evt_2Zq7vJ1c9V',
            type: 'product.price_changed',
            occurredAt: '2026-01-02T08:30:00Z',
            data: { sku: 'FL-000042', version: 7, price: '455.00' },
          },
        },
        examples: {
          headers: {
            'webhook-id': 'evt_2Zq7vJ1c9V',
            'webhook-timestamp': '1767342600',
            'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
          },
        },
      },
      responses: {
        200: {
          description: 'The event was handled (or had been already).',
          schema: PartnerWebhookResultSchema,
          example: { eventId: 'evt_2Zq7vJ1c9V', status: 'applied' },
        },
        400: problem(
          'Signed, but the body is not JSON or not a valid event (`errors[]` names each bad field), or the body could not be read; ' +
            'also too many query parameters or no Host header. Nothing was written; redelivering the same bytes fails the same way.',
        ),
        401: problem('Missing or invalid signature headers or signature, or a timestamp outside the tolerance; nothing was written.'),
        409: problem(
          'Another delivery of this event is being applied right now; retry after Retry-After seconds.',
          'Seconds to wait before redelivering.',
        ),
        413: problem(`The body is larger than ${bodyLimitBytes} bytes (checked before the signature); nothing was written.`),
        415: problem('Signed, but the body is not application/json; nothing was written.'),
        503: problem(
          'Nothing was written; redeliver after Retry-After seconds. The title says why: "Service temporarily unavailable" (the database is not answering), ' +
            '"Service overloaded" (no event write connection came free within the wait), "Deadline exceeded" (a statement ran past its time limit).',
          'Seconds to wait before redelivering.',
        ),
      },
    },
  ];
}
