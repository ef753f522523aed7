import type { ProductQuery, SortField } from '../../domain/product-query.js';
import { PRODUCT_COLUMNS } from './product-rows.js';

export interface SearchPlan {
  /** The rare word whose term-index range drives the query; none: walk the sort index. */
  readonly driving?: string;
  readonly words: readonly string[];
}

export interface PageStatement {
  readonly sql: string;
  readonly bindings: (string | number)[];
}

const SORT_COLUMNS: Record<SortField, string> = { createdAt: 'created_at', price: 'price_paise', name: 'name' };

/** The migration's (category, sort value, id) indexes. */
const CATEGORY_SORT_INDEXES: Record<SortField, string> = {
  createdAt: 'products_category_created_at_id',
  price: 'products_category_price_id',
  name: 'products_category_name_id',
};

const SELECTED = PRODUCT_COLUMNS.join(', ');

/**
 * The SELECT for one page of a listing, (sort value, id) ordered, limit + 1 rows. Written out rather
 * than built with Knex: building and compiling the Knex query took ~10% of an uncached request's
 * CPU. Identifiers are fixed here (none is a reserved word in MariaDB or SQLite, so none is
 * quoted, which also keeps the driver's placeholder scan short); every value is a binding.
 */
export function productPageSql(query: ProductQuery, plan: SearchPlan | undefined, mysql: boolean): PageStatement {
  const bindings: (string | number)[] = [];
  if (query.categories.length <= 1) {
    return { sql: branch(query, query.categories[0], plan, mysql, bindings), bindings };
  }
  // One index range per category, merged: cheaper than sorting the union of their rows.
  const branches = query.categories.map((category, i) => `SELECT * FROM (${branch(query, category, plan, mysql, bindings)}) AS c${i}`);
  bindings.push(query.limit + 1);
  return { sql: `SELECT * FROM (${branches.join(' UNION ALL ')}) AS merged ${orderBy(query)} LIMIT ?`, bindings };
}

function branch(query: ProductQuery, category: string | undefined, plan: SearchPlan | undefined, mysql: boolean, bindings: (string | number)[]) {
  const column = SORT_COLUMNS[query.sort];
  const where = ['deleted = 0'];
  if (category !== undefined) {
    where.push('category = ?');
    bindings.push(category);
  }
  if (query.minPricePaise !== undefined) {
    where.push('price_paise >= ?');
    bindings.push(query.minPricePaise);
  }
  if (query.maxPricePaise !== undefined) {
    where.push('price_paise <= ?');
    bindings.push(query.maxPricePaise);
  }
  if (query.after) {
    const { value, id } = query.after;
    const [strict, loose] = query.order === 'asc' ? ['>', '>='] : ['<', '<='];
    // The loose bound alone is an index range; the disjunction then skips the tie group's seen rows.
    where.push(`${column} ${loose} ? AND (${column} ${strict} ? OR products.id ${strict} ?)`);
    bindings.push(value, value, id);
  }
  for (const word of plan?.words ?? []) {
    const [low, high] = prefixRange(word);
    if (word === plan!.driving) {
      where.push('products.id IN (SELECT d.product_id FROM product_terms AS d WHERE d.term >= ? AND d.term < ?)');
    } else {
      // A scalar subquery, not EXISTS: MariaDB turns EXISTS into a semi-join and may materialise
      // every product id having a common word (~2 s at a million products) before the first row.
      where.push('(SELECT 1 FROM product_terms AS t WHERE t.term >= ? AND t.term < ? AND t.product_id = products.id LIMIT 1) IS NOT NULL');
    }
    bindings.push(low, high);
  }
  bindings.push(query.limit + 1);
  return `SELECT ${SELECTED} FROM ${from(query, category, plan, mysql)} WHERE ${where.join(' AND ')} ${orderBy(query)} LIMIT ?`;
}

/**
 * In a category, MariaDB prefers a ref on the category alone to the range on (category, sort
 * value) when both look alike in size: it then reads from the category's first row and filters
 * its way to the cursor, thousands of rows deep (~0.6 s at a million products). Forcing the
 * category's sort index makes it seek to the cursor. Not when a rare word drives the query.
 */
function from(query: ProductQuery, category: string | undefined, plan: SearchPlan | undefined, mysql: boolean) {
  if (category === undefined || plan?.driving !== undefined || !mysql) return 'products';
  return `products FORCE INDEX (${CATEGORY_SORT_INDEXES[query.sort]})`;
}

function orderBy(query: ProductQuery) {
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  return `ORDER BY ${SORT_COLUMNS[query.sort]} ${direction}, id ${direction}`;
}

/** [word, next string after every string starting with word) in code point order. */
export function prefixRange(word: string): [string, string] {
  const chars = [...word];
  const last = chars.pop()!;
  return [word, chars.join('') + String.fromCodePoint(last.codePointAt(0)! + 1)];
}
