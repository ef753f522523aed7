import type { ProductFields } from '../product-fields.js';

/** A product as the partner's catalogue (API A) describes it. Prices are integer paise. */
export interface PartnerProduct extends ProductFields {
  /** The partner's revision of this product; it grows with every change the partner makes. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A partner answer and the moment the partner gave it (earlier than now when served from a cache). */
export interface LiveProduct {
  readonly product: PartnerProduct;
  readonly asOf: Date;
}

export interface PartnerCatalogPage {
  readonly items: readonly PartnerProduct[];
  /** Where the next page starts; null on the last page. Opaque, and stable across restarts. */
  readonly nextCursor: string | null;
  /** How many products the whole catalogue holds, when the partner says. */
  readonly total?: number;
}

/**
 * The partner's catalogue, called synchronously. Every call is bounded by the configured deadline,
 * whatever the partner does. Failures are domain errors whose `cause` carries the technical detail:
 * PartnerUnavailableError (no usable answer in time: breaker open, retries exhausted, rate limited,
 * deadline reached), PartnerRejectedError (the partner refused the request or answered nonsense).
 */
export interface ExternalCatalog {
  /**
   * The partner's current view of one product, with its live price and stock. May be served from
   * a cache a few seconds old (`asOf` says when the partner answered); concurrent calls for one sku
   * share a single partner request. Throws PartnerProductNotFoundError when the partner has no
   * such sku.
   */
  getProduct(sku: string): Promise<LiveProduct>;

  /**
   * Up to `limit` products in the partner's stable order, starting after `cursor` (null: the first
   * page). Walking nextCursor until null visits every product exactly once. Never cached.
   */
  listProducts(cursor: string | null, limit: number): Promise<PartnerCatalogPage>;
}
