export const CURRENCY = 'INR';

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
