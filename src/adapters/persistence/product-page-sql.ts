import type { KeysetPosition, ProductQuery, SortField } from '../../domain/product-query.js';
import { PRODUCT_COLUMNS } from './product-rows.js';

export interface PageStatement {
  readonly sql: string;
  readonly bindings: (string | number)[];
}

/** A product the sort index walk reached: its id and sort value, nothing read from the table. */
export interface CandidateRow {
  id: number;
  v: number | string;
}

const SORT_COLUMNS: Record<SortField, string> = { createdAt: 'created_at', price: 'price_paise', name: 'name' };

/** The migration's (sort value, id) indexes. */
const SORT_INDEXES: Record<SortField, string> = {
  createdAt: 'products_created_at_id',
  price: 'products_price_id',
  name: 'products_name_id',
};

/** The migration's (category, sort value, id) indexes. */
const CATEGORY_SORT_INDEXES: Record<SortField, string> = {
  createdAt: 'products_category_created_at_id',
  price: 'products_category_price_id',
  name: 'products_category_name_id',
};

const SELECTED = PRODUCT_COLUMNS.join(', ');

/*
 * Hand-written SQL rather than Knex: building and compiling the Knex query took ~10% of an
 * uncached request's CPU. Identifiers are fixed here (none is a reserved word in MariaDB or
 * SQLite, so none is quoted, which also keeps the driver's placeholder scan short); every value
 * is a binding, except candidate ids, which are integers read back from the database.
 */

/**
 * One page of a listing without search words, (sort value, id) ordered, limit + 1 rows. Only for
 * listings where every row of the index range matches (see isIndexRange): its cost is the page.
 */
export function productPageSql(query: ProductQuery, mysql: boolean): PageStatement {
  return mergedBranches(query, mysql, SELECTED, query.limit + 1, query.after, (bindings) => priceFilters(query, bindings));
}

/**
 * Whether a listing without words is one bounded index range: no price filter, or a price filter
 * on the price sort, whose range is in the index. A price filter on another sort is checked row
 * by row, so a narrow price range would walk the whole sort index: those are scanned on a budget.
 */
export function isIndexRange(query: ProductQuery): boolean {
  return query.words.length === 0 && (query.sort === 'price' || (query.minPricePaise === undefined && query.maxPricePaise === undefined));
}

/**
 * The next `count` products after `after` in the listing's sort index (id and sort value only),
 * within the category (one) and, on the price sort, the price range. Reads at most `count` entries
 * of a covering index; nothing is read from the table.
 */
export function candidatesSql(query: ProductQuery, after: KeysetPosition | undefined, count: number, mysql: boolean): PageStatement {
  const priceInIndex = (bindings: (string | number)[]) => (query.sort === 'price' ? priceFilters(query, bindings) : []);
  // Several categories would cost a branch each, every one read up to `count` deep and merged
  // through temporary tables (~12 us a candidate per category at a million products): the
  // listing's own sort index is walked instead, and matchesSql checks the category.
  const walked = query.categories.length > 1 ? { ...query, categories: [] } : query;
  return mergedBranches(walked, mysql, `id, ${SORT_COLUMNS[query.sort]} AS v`, count, after, priceInIndex, 'v');
}

/**
 * The ids of products having a term that starts with `word`, read from the term index: at most
 * `limit` index entries (a product appears once per matching term).
 */
export function termIdsSql(word: string, limit: number, mysql: boolean): PageStatement {
  const [low, high] = prefixRange(word);
  const index = mysql ? ' FORCE INDEX (product_terms_term_product)' : '';
  return { sql: `SELECT product_id AS id FROM product_terms${index} WHERE term >= ? AND term < ? LIMIT ?`, bindings: [low, high, limit] };
}

export interface MatchBounds {
  readonly after?: KeysetPosition;
  /** The last candidate: rows a write has moved beyond it are left to the pages that reach them. */
  readonly through?: KeysetPosition;
}

/**
 * The first `limit` of the products `ids` that match every filter and have a term starting with
 * each of `words`, in listing order within `bounds`. Each id is one primary-key read; each word is
 * one read of that product's terms through the (product_id, term) primary key, in the order given
 * (rarest first: a product fails on its first missing word). The ids and their sort come from
 * this statement only, so its cost is bounded by the number of ids whatever the planner thinks.
 */
export function matchesSql(
  query: ProductQuery,
  ids: readonly number[],
  words: readonly string[],
  bounds: MatchBounds,
  limit: number,
  mysql: boolean,
): PageStatement {
  const bindings: (string | number)[] = [];
  const column = SORT_COLUMNS[query.sort];
  const where = [`products.id IN (${ids.map((id) => Math.trunc(Number(id))).join(', ')})`, 'deleted = 0'];
  if (query.categories.length > 0) {
    where.push(`category IN (${query.categories.map(() => '?').join(', ')})`);
    bindings.push(...query.categories);
  }
  where.push(...priceFilters(query, bindings));
  if (bounds.after) where.push(keysetAfter(query, column, bounds.after, bindings));
  if (bounds.through) where.push(keysetThrough(query, column, bounds.through, bindings));
  for (const word of words) {
    // A scalar subquery, not EXISTS: MariaDB turns EXISTS into a semi-join and may materialise
    // every product id having a common word (~2 s at a million products) before the first row.
    where.push('(SELECT 1 FROM product_terms AS t WHERE t.product_id = products.id AND t.term >= ? AND t.term < ? LIMIT 1) IS NOT NULL');
    bindings.push(...prefixRange(word));
  }
  bindings.push(limit);
  // SQLite would otherwise read the sort index between the bounds (tie groups and all); NOT INDEXED
  // still lets it look the ids up by rowid.
  const from = mysql ? 'products FORCE INDEX (PRIMARY)' : 'products NOT INDEXED';
  return { sql: `SELECT ${SELECTED} FROM ${from} WHERE ${where.join(' AND ')} ${orderBy(query)} LIMIT ?`, bindings };
}

function mergedBranches(
  query: ProductQuery,
  mysql: boolean,
  columns: string,
  limit: number,
  after: KeysetPosition | undefined,
  extra: (bindings: (string | number)[]) => string[],
  candidates?: 'v',
): PageStatement {
  const bindings: (string | number)[] = [];
  const branch = (category: string | undefined) => {
    // Candidates are read from the covering index alone; deleted ones fail matchesSql.
    const where = candidates ? [] : ['deleted = 0'];
    if (category !== undefined) {
      where.push('category = ?');
      bindings.push(category);
    }
    where.push(...extra(bindings));
    if (after) where.push(keysetAfter(query, SORT_COLUMNS[query.sort], after, bindings));
    bindings.push(limit);
    const condition = where.length > 0 ? `WHERE ${where.join(' AND ')} ` : '';
    return `SELECT ${columns} FROM ${from(query, category, mysql)} ${condition}${orderBy(query)} LIMIT ?`;
  };
  if (query.categories.length <= 1) return { sql: branch(query.categories[0]), bindings };
  // One index range per category, merged: cheaper than sorting the union of their rows.
  const branches = query.categories.map((category, i) => `SELECT * FROM (${branch(category)}) AS c${i}`);
  bindings.push(limit);
  return { sql: `SELECT * FROM (${branches.join(' UNION ALL ')}) AS merged ${orderBy(query, '', candidates)} LIMIT ?`, bindings };
}

function priceFilters(query: ProductQuery, bindings: (string | number)[]): string[] {
  const where: string[] = [];
  if (query.minPricePaise !== undefined) {
    where.push('price_paise >= ?');
    bindings.push(query.minPricePaise);
  }
  if (query.maxPricePaise !== undefined) {
    where.push('price_paise <= ?');
    bindings.push(query.maxPricePaise);
  }
  return where;
}

/** Strictly after the position; the loose bound alone is an index range, the disjunction skips the tie group's seen rows. */
function keysetAfter(query: ProductQuery, column: string, { value, id }: KeysetPosition, bindings: (string | number)[]) {
  const [strict, loose] = query.order === 'asc' ? ['>', '>='] : ['<', '<='];
  bindings.push(value, value, id);
  return `${column} ${loose} ? AND (${column} ${strict} ? OR products.id ${strict} ?)`;
}

/** At or before the position in listing order. */
function keysetThrough(query: ProductQuery, column: string, { value, id }: KeysetPosition, bindings: (string | number)[]) {
  const [strict, loose] = query.order === 'asc' ? ['<', '<='] : ['>', '>='];
  bindings.push(value, value, id);
  return `${column} ${loose} ? AND (${column} ${strict} ? OR products.id ${loose} ?)`;
}

/**
 * MariaDB, left to itself, prefers a ref on the category alone to the range on (category, sort
 * value) when both look alike in size: it then reads from the category's first row and filters
 * its way to the cursor, thousands of rows deep (~0.6 s at a million products); and with a
 * search it may choose any index at all. Forcing the listing's sort index makes every walk start
 * at the cursor and stop at the LIMIT.
 */
function from(query: ProductQuery, category: string | undefined, mysql: boolean) {
  if (!mysql) return 'products';
  return `products FORCE INDEX (${(category === undefined ? SORT_INDEXES : CATEGORY_SORT_INDEXES)[query.sort]})`;
}

function orderBy(query: ProductQuery, table = 'products.', column = SORT_COLUMNS[query.sort]) {
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  return `ORDER BY ${column} ${direction}, ${table}id ${direction}`;
}

/** [word, next string after every string starting with word) in code point order. */
export function prefixRange(word: string): [string, string] {
  const chars = [...word];
  const last = chars.pop()!;
  return [word, chars.join('') + String.fromCodePoint(last.codePointAt(0)! + 1)];
}
