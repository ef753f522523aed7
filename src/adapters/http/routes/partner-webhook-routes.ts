import { Router } from '@koa/router';
import type { Context, Next } from 'koa';
import type { ApplyPartnerEvent } from '../../../application/apply-partner-event.js';
import { HttpProblem } from '../http-problem.js';
import { rawBody } from '../middleware/raw-body.js';
import { parsePartnerEvent } from '../partner-event-json.js';
import type { StandardWebhookVerifier } from '../standard-webhook-verifier.js';

export interface PartnerWebhookRouteDeps {
  readonly applyPartnerEvent: ApplyPartnerEvent;
  readonly verifier: StandardWebhookVerifier;
  readonly bodyLimitBytes: number;
}

/**
 * POST /api/webhooks/partner (API B). Cheapest refusal first: without a configured secret, the
 * signature headers or a timestamp inside the tolerance, the answer is a 401 before any of the body
 * is read (and the connection is closed rather than drained). Then at most the limit is read, and
 * the signature is checked over those exact bytes before they are parsed, so a forged body is a 401
 * whatever it contains; every 4xx happens before anything is written.
 */
export function partnerWebhookRoutes({ applyPartnerEvent, verifier, bodyLimitBytes }: PartnerWebhookRouteDeps): Router {
  const router = new Router();

  router.post('/api/webhooks/partner', refuseUnsignedEarly(verifier), rawBody({ limitBytes: bodyLimitBytes }), async (ctx) => {
    const body = ctx.state.rawBody as Buffer;
    verifier.verify(signatureHeaders(ctx), body);
    if (!ctx.is('application/json')) {
      throw new HttpProblem(415, 'Unsupported media type', 'The body must be application/json.');
    }
    const event = parsePartnerEvent(body);
    const status = await applyPartnerEvent.execute(event);
    ctx.body = { eventId: event.id, status };
  });

  return router;
}

function refuseUnsignedEarly(verifier: StandardWebhookVerifier) {
  return async (ctx: Context, next: Next) => {
    try {
      verifier.checkHeaders(signatureHeaders(ctx));
    } catch (error) {
      // The unread body is not drained for keep-alive: the connection ends with this answer.
      ctx.set('Connection', 'close');
      throw error;
    }
    await next();
  };
}

function signatureHeaders(ctx: Context) {
  return { id: ctx.get('webhook-id'), timestamp: ctx.get('webhook-timestamp'), signature: ctx.get('webhook-signature') };
}
