import type { ProductPage } from '../../domain/ports/product-repository.js';
import type { Product } from '../../domain/product.js';
import { sortValueOf, type KeysetPosition, type ProductQuery } from '../../domain/product-query.js';
import { candidatesSql, isIndexRange, matchesSql, productPageSql, termIdsSql, type CandidateRow, type PageStatement } from './product-page-sql.js';
import { ProductRows, type ProductRow } from './product-rows.js';

export interface SearchLimits {
  /** A word with fewer term-index entries than this drives its search from its term range. */
  readonly rareTermLimit: number;
  /**
   * The most product reads one page spends when it walks the sort index instead: each candidate
   * costs one read of its row plus one read of its terms per word it is checked for.
   */
  readonly scanBudget: number;
}

/** Runs one statement and returns its rows. */
export type RunStatement = <Row>(statement: PageStatement) => Promise<Row[]>;

/** Term-index entries of a word, counted up to a limit (a count of `limit` means "at least"). */
export type CountTerms = (word: string) => Promise<number>;

// Each chunk of the sort index walk is this many times the last: a common word fills its page
// from the first small chunk, a rare combination reaches the budget in a few statements.
const CHUNK_GROWTH = 4;

/**
 * Reads one page of a listing at a bounded cost, whatever its words and filters:
 * - no words, and every row of the index range matches: one statement, the page itself;
 * - a rare word (fewer than rareTermLimit term entries): its term range gives every candidate,
 *   the page is complete, and its cost is below rareTermLimit products;
 * - otherwise the sort index is walked from the position in chunks, at most
 *   scanBudget / (1 + words) candidates, each checked by primary key; when the budget runs out
 *   first the page ends early at the last candidate examined, and `next` continues from there.
 */
export class ProductPageReader {
  constructor(
    private readonly run: RunStatement,
    private readonly countTerms: CountTerms,
    private readonly limits: SearchLimits,
    private readonly mysql: boolean,
  ) {}

  async read(query: ProductQuery): Promise<ProductPage> {
    if (isIndexRange(query)) {
      return this.pageOf(query, await this.products(productPageSql(query, this.mysql)));
    }
    const words = necessaryWords(query.words);
    const counts = await Promise.all(words.map((w) => this.countTerms(w)));
    const byRarity = words.map((word, i) => ({ word, count: counts[i]! })).sort((a, b) => a.count - b.count).map((w) => w.word);
    const rarest = byRarity[0];
    if (rarest !== undefined && counts[words.indexOf(rarest)]! < this.limits.rareTermLimit) {
      const page = await this.driven(query, rarest, byRarity.slice(1));
      if (page) return page;
    }
    return this.scan(query, byRarity);
  }

  /** Every product having the rare word, checked and sorted in one statement; undefined if the word is no longer rare. */
  private async driven(query: ProductQuery, word: string, others: readonly string[]): Promise<ProductPage | undefined> {
    const rows = await this.run<{ id: number }>(termIdsSql(word, this.limits.rareTermLimit, this.mysql));
    if (rows.length >= this.limits.rareTermLimit) return undefined;
    if (rows.length === 0) return { items: [], next: null };
    const ids = [...new Set(rows.map((r) => Number(r.id)))];
    return this.pageOf(query, await this.products(matchesSql(query, ids, others, { after: query.after }, query.limit + 1, this.mysql)));
  }

  private async scan(query: ProductQuery, words: readonly string[]): Promise<ProductPage> {
    const found: Product[] = [];
    let from = query.after;
    let examined = 0;
    const budget = Math.max(1, Math.floor(this.limits.scanBudget / (1 + words.length)));
    let chunk = Math.min(budget, CHUNK_GROWTH * (query.limit + 1));
    for (;;) {
      const size = Math.min(chunk, budget - examined);
      // One candidate more than examined says whether the listing goes on past this chunk.
      const candidates = await this.run<CandidateRow>(candidatesSql(query, from, size + 1, this.mysql));
      const more = candidates.length > size;
      if (more) candidates.pop();
      if (candidates.length === 0) return { items: found, next: null };
      examined += candidates.length;
      const last = candidates.at(-1)!;
      const through: KeysetPosition = { value: query.sort === 'name' ? String(last.v) : Number(last.v), id: Number(last.id) };
      const ids = candidates.map((c) => Number(c.id));
      found.push(...(await this.products(matchesSql(query, ids, words, { after: from, through }, query.limit + 1 - found.length, this.mysql))));
      if (found.length > query.limit || !more) return this.pageOf(query, found);
      if (examined >= budget) return { items: found, next: through };
      from = through;
      chunk *= CHUNK_GROWTH;
    }
  }

  private async products(statement: PageStatement): Promise<Product[]> {
    return (await this.run<ProductRow>(statement)).map(ProductRows.toProduct);
  }

  /** A page from up to limit + 1 matches in order: the extra one only says that more follow. */
  private pageOf(query: ProductQuery, matches: readonly Product[]): ProductPage {
    const items = matches.slice(0, query.limit);
    const last = items.at(-1);
    return { items, next: matches.length > query.limit && last ? { value: sortValueOf(last, query.sort), id: last.id } : null };
  }
}

/** The words worth checking: a word that begins another query word matches whenever that one does. */
function necessaryWords(words: readonly string[]): string[] {
  return words.filter((word) => !words.some((other) => other !== word && other.startsWith(word)));
}
