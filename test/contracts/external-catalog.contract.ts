import { expect } from 'chai';
import { PartnerProductNotFoundError } from '../../src/domain/errors/partner-product-not-found-error.js';
import { PartnerRejectedError } from '../../src/domain/errors/partner-rejected-error.js';
import type { ExternalCatalog, PartnerProduct } from '../../src/domain/ports/external-catalog.js';

export interface ExternalCatalogSubject {
  readonly catalog: ExternalCatalog;
  /** How many products the partner catalogue behind `catalog` holds. */
  readonly size: number;
  cleanup(): Promise<void>;
}

async function walk(catalog: ExternalCatalog, limit: number) {
  const items: PartnerProduct[] = [];
  const totals: (number | undefined)[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await catalog.listProducts(cursor, limit);
    items.push(...page.items);
    totals.push(page.total);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 1_000);
  return { items, pages, totals };
}

export function describeExternalCatalogContract(name: string, makeSubject: () => Promise<ExternalCatalogSubject>) {
  describe(`ExternalCatalog contract: ${name}`, () => {
    let subject: ExternalCatalogSubject;

    beforeEach(async () => {
      subject = await makeSubject();
    });

    afterEach(() => subject.cleanup());

    it('listProducts, when nextCursor is followed to the end, visits every product exactly once', async () => {
      const { items, pages, totals } = await walk(subject.catalog, 7);
      expect(items).to.have.length(subject.size);
      expect(new Set(items.map((p) => p.sku)).size).to.equal(subject.size);
      expect(pages).to.equal(Math.ceil(subject.size / 7));
      for (const total of totals) if (total !== undefined) expect(total).to.equal(subject.size);
    });

    it('listProducts, when walked twice, returns the same products in the same order', async () => {
      const first = await walk(subject.catalog, 10);
      const second = await walk(subject.catalog, 10);
      expect(second.items).to.deep.equal(first.items);
    });

    it('listProducts, when the limit covers the catalogue, returns one page with no next cursor', async () => {
      const page = await subject.catalog.listProducts(null, subject.size + 5);
      expect(page.items).to.have.length(subject.size);
      expect(page.nextCursor).to.equal(null);
    });

    it('listProducts, when the cursor was not issued by the partner, rejects with PartnerRejectedError', async () => {
      await expect(subject.catalog.listProducts('not-a-cursor', 5)).to.be.rejectedWith(PartnerRejectedError);
    });

    it('products, as listed, are well-formed: integer paise, stock and version, dates', async () => {
      const { items } = await walk(subject.catalog, 50);
      for (const p of items) {
        expect(Number.isInteger(p.pricePaise) && p.pricePaise >= 0, p.sku).to.equal(true);
        expect(Number.isInteger(p.stock) && p.stock >= 0, p.sku).to.equal(true);
        expect(Number.isInteger(p.version) && p.version >= 1, p.sku).to.equal(true);
        expect(p.updatedAt.getTime()).to.be.at.least(p.createdAt.getTime());
      }
    });

    it('getProduct, for a listed sku, returns the product as listed and when the partner said so', async () => {
      const { items } = await subject.catalog.listProducts(null, 5);
      const before = Date.now();
      const live = await subject.catalog.getProduct(items[3].sku);
      expect(live.product).to.deep.equal(items[3]);
      expect(live.asOf.getTime()).to.be.within(before - 1, Date.now());
    });

    it('getProduct, for a sku the partner does not have, rejects with PartnerProductNotFoundError', async () => {
      const error = await subject.catalog.getProduct('FL-NONE-404').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(PartnerProductNotFoundError);
      expect((error as PartnerProductNotFoundError).sku).to.equal('FL-NONE-404');
    });
  });
}
