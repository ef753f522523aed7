import type { Product } from '../product.js';
import type { ProductFields } from '../product-fields.js';
import type { KeysetPosition, ProductQuery } from '../product-query.js';

export interface ProductPage {
  readonly items: readonly Product[];
  /**
   * Where the next page starts (pass it as `after`), or null when no product matches after this
   * page. A search examines a bounded number of products per page, so a page can be shorter than
   * the limit, even empty, and still have a next position: the store looked this far and found
   * only these; the next page continues from there.
   */
  readonly next: KeysetPosition | null;
}

/** A product as a writer describes it; the store assigns id and timestamps it is not given. */
export interface ProductDraft extends ProductFields {
  readonly createdAt?: Date;
  readonly updatedAt?: Date;
}

export interface ProductRepository {
  /**
   * Products matching every filter, strictly after `query.after` in (sort value, id) order: at most
   * `query.limit` of them, and fewer only when the page ends at `next` (see ProductPage) or the
   * listing ends. Following `next` from page to page yields every match exactly once, in order.
   * Reads see committed data only; a concurrent write never makes a product that it did not touch
   * repeat or vanish across pages.
   */
  list(query: ProductQuery): Promise<ProductPage>;

  /** The product with this id, or null when there is none. */
  findById(id: number): Promise<Product | null>;

  /**
   * Inserts products by sku, or updates existing ones whose stored version is lower than the
   * draft's. SKUs compare byte for byte: 'ABC-1' and 'abc-1' are two products. Atomic per call: all
   * drafts are applied or none. Idempotent: applying the same drafts again changes nothing. Returns
   * how many products were inserted or changed.
   */
  upsert(drafts: readonly ProductDraft[]): Promise<number>;
}
