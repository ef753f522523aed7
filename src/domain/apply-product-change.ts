import type { ProductChange } from './product-change.js';
import type { ProductFields } from './product-fields.js';

/** The version each part of a product was last written at; 0 for never. */
export interface ProductPartVersions {
  /** Name, description and category. */
  readonly content: number;
  readonly price: number;
  readonly stock: number;
  /** The latest deletion. */
  readonly deleted: number;
}

/** A product as the event store keeps it, live or not: its fields and the versions of its parts. */
export interface VersionedProduct extends ProductFields {
  /** The highest version applied to any part: the product's version, which only moves forward. */
  readonly version: number;
  readonly parts: ProductPartVersions;
}

export interface AppliedChange {
  readonly product: VersionedProduct;
  /** On sale: described at a version newer than its latest deletion. Not live: deleted, or only partly known. */
  readonly live: boolean;
  readonly contentChanged: boolean;
}

/**
 * Applies `change` to `current` (null: a sku never seen), or returns null when every part it
 * touches was already written at a version at least as new: the change is superseded.
 *
 * Each part keeps the value of the newest change that wrote it, so applying a product's changes in
 * any order, any number of times, ends in the state of applying them once in version order. A
 * late upsert therefore fills in only the parts nothing newer has written, and never revives a
 * product deleted at a higher version.
 */
export function applyProductChange(current: VersionedProduct | null, change: ProductChange): AppliedChange | null {
  const before = settled(current ?? unknownProduct(change.sku));
  const newer = (part: keyof ProductPartVersions) => change.version > before.parts[part];
  let after = before;
  const write = (part: keyof ProductPartVersions, fields: Partial<VersionedProduct>) => {
    if (newer(part)) after = { ...after, ...fields, parts: { ...after.parts, [part]: change.version } };
  };
  switch (change.type) {
    case 'product.upserted':
      write('content', { name: change.name, description: change.description, category: change.category });
      write('price', { pricePaise: change.pricePaise });
      write('stock', { stock: change.stock });
      break;
    case 'product.price_changed':
      write('price', { pricePaise: change.pricePaise });
      break;
    case 'product.stock_changed':
      write('stock', { stock: change.stock });
      break;
    case 'product.deleted':
      write('deleted', {});
      break;
  }
  if (after === before) return null;
  const product = { ...after, version: Math.max(before.version, change.version) };
  return {
    product,
    live: product.parts.content > product.parts.deleted,
    contentChanged: product.parts.content !== before.parts.content,
  };
}

/**
 * A product whose version is above every part's was last written whole (ProductRepository.upsert
 * writes every field and only the version): each of its parts is as new as that version.
 */
function settled(product: VersionedProduct): VersionedProduct {
  const { content, price, stock, deleted } = product.parts;
  if (product.version <= Math.max(content, price, stock, deleted)) return product;
  const v = product.version;
  return { ...product, parts: { content: v, price: v, stock: v, deleted } };
}

function unknownProduct(sku: string): VersionedProduct {
  return {
    sku,
    name: '',
    description: '',
    category: '',
    pricePaise: 0,
    stock: 0,
    version: 0,
    parts: { content: 0, price: 0, stock: 0, deleted: 0 },
  };
}
