import type { ProductDraft } from '../../domain/ports/product-repository.js';
import { CURRENCY, type Product } from '../../domain/product.js';
import { searchTerms } from '../../domain/search-terms.js';

export interface ProductRow {
  id: number;
  sku: string;
  name: string;
  description: string;
  category: string;
  price_paise: number | string;
  currency: string;
  stock: number;
  version: number | string;
  created_at: number | string;
  updated_at: number | string;
}

export const PRODUCT_COLUMNS = [
  'id',
  'sku',
  'name',
  'description',
  'category',
  'price_paise',
  'currency',
  'stock',
  'version',
  'created_at',
  'updated_at',
] as const;

/** Row mapping shared by the repository and the bulk seeder, so both write the same shape. */
export const ProductRows = {
  toProduct(row: ProductRow): Product {
    return {
      id: Number(row.id),
      sku: row.sku,
      name: row.name,
      description: row.description,
      category: row.category,
      pricePaise: Number(row.price_paise),
      currency: CURRENCY,
      stock: Number(row.stock),
      version: Number(row.version),
      createdAt: new Date(Number(row.created_at)),
      updatedAt: new Date(Number(row.updated_at)),
    };
  },

  fromDraft(draft: ProductDraft, now: number): Omit<ProductRow, 'id'> {
    return {
      sku: draft.sku,
      name: draft.name,
      description: draft.description,
      category: draft.category,
      price_paise: draft.pricePaise,
      currency: CURRENCY,
      stock: draft.stock,
      version: draft.version,
      created_at: draft.createdAt?.getTime() ?? now,
      updated_at: draft.updatedAt?.getTime() ?? now,
    };
  },

  terms(productId: number, draft: Pick<ProductDraft, 'name' | 'description'>) {
    return searchTerms(`${draft.name} ${draft.description}`).map((term) => ({ term, product_id: productId }));
  },
};
