import { Router } from '@koa/router';
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
 * POST /api/webhooks/partner (API B). The signature is checked over the exact bytes before they are
 * parsed, so a forged body is a 401 whatever it contains; every 4xx happens before anything is written.
 */
export function partnerWebhookRoutes({ applyPartnerEvent, verifier, bodyLimitBytes }: PartnerWebhookRouteDeps): Router {
  const router = new Router();

  router.post('/api/webhooks/partner', rawBody({ limitBytes: bodyLimitBytes }), async (ctx) => {
    const body = ctx.state.rawBody as Buffer;
    verifier.verify(
      { id: ctx.get('webhook-id'), timestamp: ctx.get('webhook-timestamp'), signature: ctx.get('webhook-signature') },
      body,
    );
    if (!ctx.is('application/json')) {
      throw new HttpProblem(415, 'Unsupported media type', 'The body must be application/json.');
    }
    const event = parsePartnerEvent(body);
    const status = await applyPartnerEvent.execute(event);
    ctx.body = { eventId: event.id, status };
  });

  return router;
}
