// The keyset SELECT the repository emits (see product-page-sql.ts), written out once for the
// bench's reference servers: the raw-query ceiling and the plain Express implementation.
const COLUMNS = 'id, sku, name, description, category, price_paise, currency, stock, version, created_at, updated_at';
const SORT_COLUMNS: Record<string, string> = { createdAt: 'created_at', price: 'price_paise', name: 'name' };
const CATEGORY_INDEXES: Record<string, string> = {
  created_at: 'products_category_created_at_id',
  price_paise: 'products_category_price_id',
  name: 'products_category_name_id',
};

export interface KeysetListing {
  readonly sort: string;
  readonly desc: boolean;
  readonly category?: string;
  /** Start after this (sort value, id); none: the first page. */
  readonly after?: { readonly value: string | number; readonly id: number };
  readonly limit: number;
}

/** The statement for limit + 1 rows, and the sort column (whose value the next cursor carries). */
export function keysetSelect({ sort, desc, category, after, limit }: KeysetListing) {
  const column = SORT_COLUMNS[sort] ?? 'created_at';
  const [strict, loose, direction] = desc ? ['<', '<=', 'DESC'] : ['>', '>=', 'ASC'];
  const where = ['deleted = 0'];
  const bindings: (string | number)[] = [];
  if (category) {
    where.push('category = ?');
    bindings.push(category);
  }
  if (after) {
    where.push(`${column} ${loose} ? AND (${column} ${strict} ? OR id ${strict} ?)`);
    bindings.push(after.value, after.value, after.id);
  }
  // The repository forces the category's sort index too (see KnexProductRepository).
  const table = category ? `products FORCE INDEX (${CATEGORY_INDEXES[column]})` : 'products';
  const sql = `SELECT ${COLUMNS} FROM ${table} WHERE ${where.join(' AND ')} ORDER BY ${column} ${direction}, id ${direction} LIMIT ?`;
  return { sql, bindings: [...bindings, limit + 1], column };
}
