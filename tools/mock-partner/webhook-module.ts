import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { DEV_WEBHOOK_SECRET } from './dev-webhook-secret.js';
import type { MockModule, MockPartnerContext } from './mock-module.js';
import { productHistory, type WirePartnerEvent } from './partner-event-wire.js';
import { readBody } from './read-body.js';
import { requireBearerToken } from './require-bearer-token.js';
import { WebhookSender, type Delivery, type WebhookSenderSettings } from './webhook-sender.js';

/** The mock's options under `webhooks` (MockPartnerOptions is free-form per module). */
export type MockWebhookOptions = Partial<WebhookSenderSettings>;

interface Subscription {
  readonly id: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly createdAt: string;
}

interface EmitRequest {
  events?: WirePartnerEvent[];
  /** Instead of `events`: histories of `products` products, `eventsPerProduct` versions each. */
  generate?: { products: number; eventsPerProduct: number; prefix?: string };
  /** Share of deliveries (0 to 1) sent a second time, as a partner's at-least-once sender does. */
  duplicateRate?: number;
  /** Shuffle the deliveries instead of sending them in version order. */
  reorder?: boolean;
  concurrency?: number;
  /** Answer once every delivery is acknowledged or given up, with the counts, instead of 202 at once. */
  wait?: boolean;
}

const DEFAULTS: WebhookSenderSettings = {
  secrets: [DEV_WEBHOOK_SECRET],
  maxAttempts: 8,
  backoffBaseMs: 200,
  backoffMaxMs: 10_000,
  timeoutMs: 5_000,
};

/**
 * API B, the partner's side. POST /v1/webhook-subscriptions {"url", "eventTypes"} (bearer token
 * with scope webhooks:write) registers a callback URL; the URL is the subscription's identity, so
 * registering it again answers 200 with the existing subscription (201 when created). GET lists them.
 * POST /__emit sends a batch of signed events to every subscriber (see EmitRequest), with
 * at-least-once retries and backoff, deliberate duplicates and reordering. GET /__webhooks shows
 * subscriptions and deliveries in flight.
 * Counters: webhooks.subscriptions.created|existing, webhooks.emitted, webhooks.deliveries,
 * webhooks.duplicatesSent, webhooks.responses.<status>|network-error, webhooks.acknowledged, webhooks.gaveUp.
 */
export const webhookModule: MockModule = (router, context) => {
  const settings = { ...DEFAULTS, ...(context.options.webhooks as MockWebhookOptions | undefined) };
  let generation = 0;
  let inFlight = 0;
  context.onReset(() => {
    generation += 1;
  });

  router.post('/v1/webhook-subscriptions', requireBearerToken(context, 'webhooks:write'), async (ctx) => {
    const request = parseJson(await readBody(ctx)) as { url?: unknown; eventTypes?: unknown } | null;
    if (!request || !isHttpUrl(request.url)) return badRequest(ctx, 'url must be an http(s) URL');
    const eventTypes = request.eventTypes ?? ['*'];
    if (!Array.isArray(eventTypes) || !eventTypes.every((t) => typeof t === 'string')) {
      return badRequest(ctx, 'eventTypes must be an array of event type names');
    }
    const existing = subscriptions(context).get(request.url);
    if (existing) {
      context.stats.increment('webhooks.subscriptions.existing');
      ctx.body = existing;
      return;
    }
    const created = { id: `sub_${randomUUID()}`, url: request.url, eventTypes, createdAt: new Date().toISOString() };
    subscriptions(context).set(created.url, created);
    context.stats.increment('webhooks.subscriptions.created');
    ctx.status = 201;
    ctx.body = created;
  });

  router.get('/v1/webhook-subscriptions', requireBearerToken(context, 'webhooks:write'), (ctx) => {
    ctx.body = { items: [...subscriptions(context).values()] };
  });

  router.get('/__webhooks', (ctx) => {
    ctx.body = { subscriptions: [...subscriptions(context).values()], inFlight };
  });

  router.post('/__emit', async (ctx) => {
    const request = parseJson(await readBody(ctx)) as EmitRequest | null;
    const events = request?.events ?? generated(request?.generate);
    if (!request || !events) return badRequest(ctx, 'give "events" (an array) or "generate" {"products", "eventsPerProduct"}');
    const deliveries = plan(events, [...subscriptions(context).values()], request, context);
    const started = generation;
    const sender = new WebhookSender(settings, context.stats, () => generation === started);
    inFlight += deliveries.length;
    const done = sender.sendAll(deliveries, request.concurrency ?? 4).finally(() => {
      inFlight -= deliveries.length;
    });
    if (request.wait) {
      ctx.body = { events: events.length, deliveries: deliveries.length, ...(await done) };
    } else {
      void done;
      ctx.status = 202;
      ctx.body = { events: events.length, deliveries: deliveries.length };
    }
  });
};

function plan(events: readonly WirePartnerEvent[], targets: readonly Subscription[], request: EmitRequest, context: MockPartnerContext) {
  const deliveries: Delivery[] = [];
  for (const event of events) {
    for (const target of targets.filter((t) => t.eventTypes.includes('*') || t.eventTypes.includes(event.type))) {
      deliveries.push({ url: target.url, event });
      if (Math.random() < (request.duplicateRate ?? 0)) {
        deliveries.push({ url: target.url, event });
        context.stats.increment('webhooks.duplicatesSent');
      }
    }
  }
  if (request.reorder) {
    for (let i = deliveries.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
    }
  }
  context.stats.increment('webhooks.emitted', events.length);
  context.stats.increment('webhooks.deliveries', deliveries.length);
  return deliveries;
}

function generated(spec: EmitRequest['generate']): WirePartnerEvent[] | undefined {
  if (!spec || !Number.isInteger(spec.products) || !Number.isInteger(spec.eventsPerProduct)) return undefined;
  const prefix = spec.prefix ?? `MOCK-${Date.now().toString(36)}`;
  return Array.from({ length: spec.products }, (_, i) => productHistory(`${prefix}-${i + 1}`, spec.eventsPerProduct)).flat();
}

function subscriptions(context: MockPartnerContext): Map<string, Subscription> {
  let map = context.state.get('webhooks') as Map<string, Subscription> | undefined;
  if (!map) {
    map = new Map();
    context.state.set('webhooks', map);
  }
  return map;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text || 'null');
  } catch {
    return null;
  }
}

function isHttpUrl(value: unknown): value is string {
  try {
    return typeof value === 'string' && ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function badRequest(ctx: Context, description: string) {
  ctx.status = 400;
  ctx.body = { error: 'invalid_request', error_description: description };
}
