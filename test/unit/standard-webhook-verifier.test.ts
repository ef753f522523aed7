import { expect } from 'chai';
import { StandardWebhookVerifier } from '../../src/adapters/http/standard-webhook-verifier.js';
import { WebhookSignatureError } from '../../src/domain/errors/webhook-signature-error.js';

// The example from the Standard Webhooks specification and its reference libraries.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = Buffer.from('{"test": 2432232314}');
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const at = (seconds: number) => () => seconds * 1000;
const headers = (overrides = {}) => ({ id: ID, timestamp: String(TIMESTAMP), signature: SIGNATURE, ...overrides });

describe('StandardWebhookVerifier', () => {
  it('verify, when given the specification example, accepts it', () => {
    expect(() => new StandardWebhookVerifier([SECRET], 300, at(TIMESTAMP)).verify(headers(), BODY)).to.not.throw();
  });

  it('verify, when the timestamp is exactly at the tolerance either way, accepts it; a second more, rejects it', () => {
    for (const offset of [-300, 300]) {
      expect(() => new StandardWebhookVerifier([SECRET], 300, at(TIMESTAMP + offset)).verify(headers(), BODY)).to.not.throw();
    }
    for (const offset of [-301, 301]) {
      expect(() => new StandardWebhookVerifier([SECRET], 300, at(TIMESTAMP + offset)).verify(headers(), BODY)).to.throw(
        WebhookSignatureError,
        /300 seconds/,
      );
    }
  });

  it('verify, when the matching secret is any of several, accepts it', () => {
    const verifier = new StandardWebhookVerifier(['an-older-secret-still-valid', SECRET], 300, at(TIMESTAMP));
    expect(() => verifier.verify(headers(), BODY)).to.not.throw();
  });

  it('verify, when a plain secret is configured, uses its text as the key', () => {
    const verifier = new StandardWebhookVerifier(['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], 300, at(TIMESTAMP));
    expect(() => verifier.verify(headers(), BODY)).to.throw(WebhookSignatureError, /No v1 signature/);
  });

  it('verify, when one byte of the body differs, rejects it', () => {
    const verifier = new StandardWebhookVerifier([SECRET], 300, at(TIMESTAMP));
    expect(() => verifier.verify(headers(), Buffer.from('{"test": 2432232315}'))).to.throw(WebhookSignatureError);
  });

  it('verify, when the signature is truncated, malformed or another version, rejects it without throwing anything else', () => {
    const verifier = new StandardWebhookVerifier([SECRET], 300, at(TIMESTAMP));
    for (const signature of [SIGNATURE.slice(0, 20), 'v1,', 'v1,!!!!', SIGNATURE.replace('v1,', 'v2,'), 'garbage']) {
      expect(() => verifier.verify(headers({ signature }), BODY), signature).to.throw(WebhookSignatureError);
    }
  });

  it('verify, when no secret is configured, rejects every delivery', () => {
    expect(() => new StandardWebhookVerifier([], 300, at(TIMESTAMP)).verify(headers(), BODY)).to.throw(WebhookSignatureError);
  });
});
