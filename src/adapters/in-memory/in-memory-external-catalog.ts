import { PartnerProductNotFoundError } from '../../domain/errors/partner-product-not-found-error.js';
import { PartnerRejectedError } from '../../domain/errors/partner-rejected-error.js';
import type { ExternalCatalog, LiveProduct, PartnerCatalogPage, PartnerProduct } from '../../domain/ports/external-catalog.js';

/** A partner catalogue held in memory, in insertion order; for tests and tooling without a partner. */
export class InMemoryExternalCatalog implements ExternalCatalog {
  private readonly products: PartnerProduct[];

  constructor(
    products: readonly PartnerProduct[],
    private readonly now: () => number = Date.now,
  ) {
    this.products = [...products];
  }

  /** Replaces the product with the same sku (the partner changed it), or appends a new one. */
  put(product: PartnerProduct): void {
    const index = this.products.findIndex((p) => p.sku === product.sku);
    if (index === -1) this.products.push(product);
    else this.products[index] = product;
  }

  async getProduct(sku: string): Promise<LiveProduct> {
    const product = this.products.find((p) => p.sku === sku);
    if (!product) throw new PartnerProductNotFoundError(sku);
    return { product, asOf: new Date(this.now()) };
  }

  async listProducts(cursor: string | null, limit: number): Promise<PartnerCatalogPage> {
    const start = cursor === null ? 0 : Number(cursor);
    if (!Number.isInteger(start) || start < 0 || start > this.products.length) {
      throw new PartnerRejectedError(`The partner catalogue refused the cursor ${cursor}`, 400);
    }
    const end = start + Math.max(1, limit);
    return {
      items: this.products.slice(start, end),
      nextCursor: end < this.products.length ? String(end) : null,
      total: this.products.length,
    };
  }
}
