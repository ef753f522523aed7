import { expect } from 'chai';
import { RupeesSchema } from '../../src/adapters/shared/rupees-schema.js';
import { InvalidPriceError } from '../../src/domain/errors/invalid-price-error.js';
import { Price } from '../../src/domain/price.js';

describe('Price', () => {
  it('parse, for decimal rupee amounts, returns exact integer paise', () => {
    expect(['0', '12', '12.5', '12.50', '999999999.99'].map((text) => Price.parse(text))).to.deep.equal([
      0, 1200, 1250, 1250, 99_999_999_999,
    ]);
  });

  it('parse, for anything else, throws InvalidPriceError (a domain error, not an HTTP one)', () => {
    for (const text of ['', '-1', '1e3', '12.505', '1,000', ' 12', '1234567890']) {
      expect(() => Price.parse(text), text).to.throw(InvalidPriceError);
    }
  });

  it('RupeesSchema, for a valid amount, outputs paise; for an invalid one, reports the rule as a schema issue', () => {
    expect(RupeesSchema.parse('64.5')).to.equal(6450);
    const result = RupeesSchema.safeParse('64.505');
    expect(result.success).to.equal(false);
    expect(result.error?.issues.map((issue) => issue.message)).to.deep.equal([Price.RULE]);
  });

  it('formatRupees, for paise, prints two decimals and round-trips through parse', () => {
    expect(Price.formatRupees(6450)).to.equal('64.50');
    expect(Price.parse(Price.formatRupees(99_999_999_999))).to.equal(99_999_999_999);
  });
});
