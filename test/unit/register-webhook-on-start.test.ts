import { expect } from 'chai';
import { pino } from 'pino';
import { RegisterPartnerWebhook } from '../../src/application/register-partner-webhook.js';
import { DependencyUnavailableError } from '../../src/domain/errors/dependency-unavailable-error.js';
import { PartnerRejectedError } from '../../src/domain/errors/partner-rejected-error.js';
import type { SubscriptionResult, WebhookSubscription } from '../../src/domain/ports/webhook-subscriptions.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { registerWebhookOnStart } from '../../src/infrastructure/register-webhook-on-start.js';

const logger = pino({ level: 'silent' });
const configured = loadConfig({
  WEBHOOK_PUBLIC_URL: 'https://farmlokal.example/api/webhooks/partner',
  PARTNER_API_URL: 'https://partner.example',
});

function partner(answers: (() => SubscriptionResult)[]) {
  const calls: WebhookSubscription[] = [];
  const register = new RegisterPartnerWebhook({
    register: async (subscription) => {
      calls.push(subscription);
      return (answers[calls.length - 1] ?? answers.at(-1)!)();
    },
  });
  return { register, calls };
}

const unavailable = () => {
  throw new DependencyUnavailableError('partner webhook subscriptions');
};

describe('registerWebhookOnStart', () => {
  it('registerWebhookOnStart, when the partner cannot answer at first, retries with backoff until it registers', async () => {
    const { register, calls } = partner([unavailable, unavailable, () => 'created']);
    await registerWebhookOnStart(configured, register, logger, new AbortController().signal, 5);
    expect(calls).to.have.length(3);
    expect(calls[0]).to.deep.include({ url: 'https://farmlokal.example/api/webhooks/partner' });
  });

  it('registerWebhookOnStart, when the partner refuses, gives up at once', async () => {
    const { register, calls } = partner([
      () => {
        throw new PartnerRejectedError('no', 400);
      },
    ]);
    await registerWebhookOnStart(configured, register, logger, new AbortController().signal, 5);
    expect(calls).to.have.length(1);
  });

  it('registerWebhookOnStart, when the service shuts down, stops retrying', async () => {
    const { register, calls } = partner([unavailable]);
    const shutdown = new AbortController();
    setTimeout(() => shutdown.abort(), 30);
    await registerWebhookOnStart(configured, register, logger, shutdown.signal, 5);
    expect(calls.length).to.be.within(1, 5);
  });

  it('registerWebhookOnStart, when WEBHOOK_PUBLIC_URL is unset or registration is off, does not call the partner', async () => {
    const { register, calls } = partner([() => 'created']);
    await registerWebhookOnStart(
      loadConfig({ PARTNER_API_URL: 'https://partner.example' }),
      register,
      logger,
      new AbortController().signal,
    );
    await registerWebhookOnStart({ ...configured, WEBHOOK_REGISTER_ON_START: false }, register, logger, new AbortController().signal);
    expect(calls).to.have.length(0);
  });
});
