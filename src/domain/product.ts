export const CURRENCY = 'INR';

/**
 * A SKU: 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit.
 * No spaces, so every store compares SKUs alike (MySQL's utf8mb4_bin ignores trailing spaces).
 */
export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const SKU_RULE = 'must be 1 to 64 letters, digits, dots, dashes or underscores';

/** A product on sale. Prices are integer paise, so arithmetic and comparisons are exact. */
export interface Product {
  readonly id: number;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly category: string;
  readonly pricePaise: number;
  readonly currency: typeof CURRENCY;
  readonly stock: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Monotonic per product; a write carrying a lower version than the stored one is stale. */
  readonly version: number;
}
