import type { Product } from './product.js';

export const SORT_FIELDS = ['createdAt', 'price', 'name'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type SortOrder = 'asc' | 'desc';

/** Where the previous page ended: the sort value and id of its last product. */
export interface KeysetPosition {
  readonly value: number | string;
  readonly id: number;
}

/**
 * A normalised listing request. Products are ordered by (sort value, id) in `order`; the id breaks
 * ties, so the order is total and a keyset position is unambiguous.
 */
export interface ProductQuery {
  readonly limit: number;
  readonly sort: SortField;
  readonly order: SortOrder;
  /** Sorted, unique category slugs; empty means every category. */
  readonly categories: readonly string[];
  readonly minPricePaise?: number;
  readonly maxPricePaise?: number;
  /** Sorted, unique search prefixes (see searchTerms); every one must match. */
  readonly words: readonly string[];
  readonly after?: KeysetPosition;
}

export function sortValueOf(product: Product, sort: SortField): number | string {
  switch (sort) {
    case 'createdAt':
      return product.createdAt.getTime();
    case 'price':
      return product.pricePaise;
    case 'name':
      return product.name;
  }
}
