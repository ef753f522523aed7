import { Price } from '../../domain/price.js';
import type { Product } from '../../domain/product.js';
import { isoTimestamp } from './iso-timestamp.js';

/** The public representation of a product: price as an exact decimal string, ISO-8601 times. */
export function productJson(product: Product) {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    category: product.category,
    price: Price.formatRupees(product.pricePaise),
    currency: product.currency,
    stock: product.stock,
    createdAt: isoTimestamp(product.createdAt),
    updatedAt: isoTimestamp(product.updatedAt),
  };
}
