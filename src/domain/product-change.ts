/** The event types this service applies; any other type is recorded and acknowledged, not applied. */
export const PRODUCT_CHANGE_TYPES = ['product.upserted', 'product.price_changed', 'product.stock_changed', 'product.deleted'] as const;

export type ProductChangeType = (typeof PRODUCT_CHANGE_TYPES)[number];

/**
 * One change the partner reports for the product `sku`. `version` is the partner's per-product
 * sequence: a change carrying a version no higher than the one a part was last written at is
 * superseded. An upsert writes every part; the other changes write only their own part.
 */
export type ProductChange = { readonly sku: string; readonly version: number } & (
  | {
      readonly type: 'product.upserted';
      readonly name: string;
      readonly description: string;
      readonly category: string;
      readonly pricePaise: number;
      readonly stock: number;
    }
  | { readonly type: 'product.price_changed'; readonly pricePaise: number }
  | { readonly type: 'product.stock_changed'; readonly stock: number }
  | { readonly type: 'product.deleted' }
);
