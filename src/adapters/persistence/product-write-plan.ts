import { applyProductChange, type AppliedChange, type VersionedProduct } from '../../domain/apply-product-change.js';
import type { ProductFacts, ProductWrite } from '../../domain/catalog-tags.js';
import type { ProductChange } from '../../domain/product-change.js';
import type { ProductRow } from './product-rows.js';

/** A products row as the event store reads it, under its row lock. */
export interface StoredRow extends Pick<
  ProductRow,
  'id' | 'sku' | 'name' | 'description' | 'category' | 'price_paise' | 'stock' | 'version'
> {
  deleted: number | boolean;
  content_version: number | string;
  price_version: number | string;
  stock_version: number | string;
  deleted_version: number | string;
}

/** The product's own columns, each with the version of the part it belongs to. */
const VERSIONED_COLUMNS = [
  'name',
  'description',
  'category',
  'price_paise',
  'stock',
  'version',
  'deleted',
  'content_version',
  'price_version',
  'stock_version',
  'deleted_version',
] as const;

export const STORED_COLUMNS = ['id', 'sku', ...VERSIONED_COLUMNS] as const;

/** The columns a change writes, in this order, to an existing product or a new one. */
export const WRITTEN_COLUMNS = [...VERSIONED_COLUMNS, 'updated_at'] as const;

export type WrittenColumns = Record<(typeof WRITTEN_COLUMNS)[number], string | number>;

/** What applying one change to one products row stores, whichever database holds it. */
export interface ProductWritePlan {
  readonly columns: WrittenColumns;
  /** The product after the change, for its search terms. */
  readonly product: VersionedProduct;
  readonly live: boolean;
  /** The product's search terms change: its content changed, or it went on or off sale. */
  readonly rewriteTerms: boolean;
  readonly write: ProductWrite;
}

/** The write `change` makes to `row` (undefined: a sku never stored), or null when it is superseded. */
export function planProductWrite(row: StoredRow | undefined, change: ProductChange, now: number): ProductWritePlan | null {
  const current = row ? toVersioned(row) : null;
  const applied = applyProductChange(current, change);
  if (!applied) return null;
  const wasLive = row ? !Number(row.deleted) : false;
  return {
    columns: toColumns(applied, now),
    product: applied.product,
    live: applied.live,
    rewriteTerms: applied.contentChanged || applied.live !== wasLive,
    write: { before: current ? facts(current, wasLive) : null, after: facts(applied.product, applied.live) },
  };
}

function toVersioned(row: StoredRow): VersionedProduct {
  return {
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    pricePaise: Number(row.price_paise),
    stock: Number(row.stock),
    version: Number(row.version),
    parts: {
      content: Number(row.content_version),
      price: Number(row.price_version),
      stock: Number(row.stock_version),
      deleted: Number(row.deleted_version),
    },
  };
}

function facts({ sku, name, description, category, pricePaise, stock }: VersionedProduct, live: boolean): ProductFacts {
  return { sku, name, description, category, pricePaise, stock, live };
}

function toColumns({ product, live }: AppliedChange, now: number): WrittenColumns {
  return {
    name: product.name,
    description: product.description,
    category: product.category,
    price_paise: product.pricePaise,
    stock: product.stock,
    version: product.version,
    deleted: live ? 0 : 1,
    content_version: product.parts.content,
    price_version: product.parts.price,
    stock_version: product.parts.stock,
    deleted_version: product.parts.deleted,
    updated_at: now,
  };
}
