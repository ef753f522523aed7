import { expect } from 'chai';
import { PartnerJson } from '../../src/adapters/partner/partner-json.js';

const product = (sku: string) => ({
  sku,
  name: 'Organic Alphonso Mango 1 kg',
  description: 'Ratnagiri',
  category: 'fruit',
  price: '120.50',
  currency: 'INR',
  stock: 3,
  version: 1,
  createdAt: '2026-11-24T10:00:00.000Z',
  updatedAt: '2026-11-24T10:00:00.000Z',
});

describe('PartnerJson (API A bodies)', () => {
  it('product, given a well-formed SKU, maps it to paise and dates', () => {
    const parsed = PartnerJson.product(product('MANGO-1kg_v2.0'));
    expect(parsed).to.include({ sku: 'MANGO-1kg_v2.0', pricePaise: 12_050 });
    expect(parsed.createdAt.toISOString()).to.equal('2026-11-24T10:00:00.000Z');
  });

  for (const sku of ['MANGO-1 ', ' MANGO-1', 'MANGO 1', '', '-MANGO', 'M'.repeat(65)]) {
    it(`page, when an item's SKU is ${JSON.stringify(sku.slice(0, 12))}, rejects the page naming the field`, () => {
      expect(() => PartnerJson.page({ items: [product(sku)], nextCursor: null })).to.throw(/items\.0\.sku/);
    });
  }
});
