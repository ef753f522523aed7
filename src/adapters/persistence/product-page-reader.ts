import type { ProductPage } from '../../domain/ports/product-repository.js';
import type { Product } from '../../domain/product.js';
import { sortValueOf, type KeysetPosition, type ProductQuery } from '../../domain/product-query.js';
import {
  candidatesSql,
  isIndexRange,
  matchesSql,
  productPageSql,
  termIdsSql,
  type CandidateRow,
  type PageStatement,
} from './product-page-sql.js';
import { ProductRows, type ProductRow } from './product-rows.js';

export interface SearchLimits {
  /** A word with fewer term-index entries than this drives its search from its term range. */
  readonly rareTermLimit: number;
  /**
   * The most product reads one page spends when it walks the sort index instead: each candidate
   * costs one read of its row plus one read of its terms per word it is checked for.
   */
  readonly scanBudget: number;
  /**
   * A word with at least rareTermLimit but fewer term-index entries than this is "middling": its
   * product ids are read from the term index into a set, and the covering sort index is walked
   * against the set (see walk). Together the words read as sets read fewer entries than this.
   */
  readonly middlingTermLimit: number;
  /** The most covering sort index entries one page walks against a middling word's set. */
  readonly walkBudget: number;
}

/** Runs one statement and returns its rows. */
export type RunStatement = <Row>(statement: PageStatement) => Promise<Row[]>;

/** Term-index entries of a word, counted up to a limit (a count of `limit` means "at least"). */
export type CountTerms = (word: string) => Promise<number>;

/** Runs a page's budgeted plan when there is room for it (see SEARCH_CONCURRENCY); may refuse with OverloadedError. */
export type AdmitSearch = <T>(plan: () => Promise<T>) => Promise<T>;

// Each chunk of the sort index walk is this many times the last: a common word fills its page
// from the first small chunk, a rare combination reaches the budget in a few statements.
const CHUNK_GROWTH = 4;
// The walk against a set starts with this share of its budget: a word in 1% of products fills a
// page of 20 from the first chunk.
const FIRST_WALK_SHARE = 8;

/**
 * Reads one page of a listing at a bounded cost, whatever its words and filters:
 * - no words, and every row of the index range matches: one statement, the page itself;
 * - a rare word (fewer than rareTermLimit term entries): its term range gives every candidate,
 *   the page is complete, and its cost is below rareTermLimit products;
 * - middling words (fewer than middlingTermLimit entries together): their product ids are read
 *   from the term index into a set, and the covering sort index is walked from the position, at
 *   most walkBudget entries, keeping the ids in the set; only those are read by primary key (at most
 *   scanBudget / (1 + other words)) and checked for the filters and other words;
 * - otherwise the sort index is walked from the position in chunks, at most
 *   scanBudget / (1 + words) candidates, each checked by primary key;
 * when a budget runs out first, the page ends early at the last candidate examined, and `next`
 * continues from there.
 */
export class ProductPageReader {
  constructor(
    private readonly run: RunStatement,
    private readonly countTerms: CountTerms,
    private readonly limits: SearchLimits,
    private readonly mysql: boolean,
    private readonly admit: AdmitSearch = (plan) => plan(),
  ) {}

  async read(query: ProductQuery): Promise<ProductPage> {
    if (isIndexRange(query)) {
      return this.pageOf(query, await this.products(productPageSql(query, this.mysql)));
    }
    const words = necessaryWords(query.words);
    const counts = await Promise.all(words.map((w) => this.countTerms(w)));
    const byRarity = words
      .map((word, i) => ({ word, count: counts[i] }))
      .sort((a, b) => a.count - b.count)
      .map((w) => w.word);
    const countOf = (word: string) => counts[words.indexOf(word)];
    const rarest = byRarity[0];
    if (rarest !== undefined && countOf(rarest) < this.limits.rareTermLimit) {
      const page = await this.driven(query, rarest, byRarity.slice(1));
      if (page) return page;
    }
    // Every plan below spends up to a budget of reads: they take turns (admit) so that a few of
    // them cannot take the database from everything else.
    return this.admit(async () => {
      const sets = await this.idSet(byRarity, countOf);
      if (sets) {
        const others = byRarity.slice(sets.words);
        if (sets.ids.length < this.limits.rareTermLimit) return this.byIds(query, sets.ids, others);
        return this.walk(query, new Set(sets.ids), others);
      }
      return this.scan(query, byRarity);
    });
  }

  /**
   * The ids of products having every one of the rarest words whose counts fit the middling limit
   * together, read fresh from the term index (a count only picks the plan); undefined when not even
   * the rarest word fits. `words` tells how many of `byRarity` the ids stand for.
   */
  private async idSet(
    byRarity: readonly string[],
    countOf: (word: string) => number,
  ): Promise<{ ids: number[]; words: number } | undefined> {
    let room = this.limits.middlingTermLimit;
    let ids: number[] | undefined;
    let words = 0;
    for (const word of byRarity) {
      if (countOf(word) >= room) break;
      const rows = await this.run<{ id: number }>(termIdsSql(word, room, this.mysql));
      // Grown past its count since it was counted: it is checked by primary key instead.
      if (rows.length >= room) break;
      room -= rows.length;
      const having = new Set(rows.map((r) => Number(r.id)));
      ids = ids === undefined ? [...having] : ids.filter((id) => having.has(id));
      words += 1;
      if (ids.length === 0) break;
    }
    return ids === undefined ? undefined : { ids, words: ids.length === 0 ? byRarity.length : words };
  }

  /** A complete page from a few candidate ids (under rareTermLimit), checked and sorted in one statement. */
  private async byIds(query: ProductQuery, ids: readonly number[], others: readonly string[]): Promise<ProductPage> {
    if (ids.length === 0) return { items: [], next: null };
    return this.pageOf(query, await this.products(matchesSql(query, ids, others, { after: query.after }, query.limit + 1, this.mysql)));
  }

  /**
   * Walks the covering sort index from the position (ids and sort values only) in growing chunks,
   * at most walkBudget entries, and keeps the candidates in `ids`; those are read by primary key,
   * as many as the page still needs (more at once after a batch where some failed), at most
   * scanBudget / (1 + words) of them, and checked for the filters and the other words.
   */
  private async walk(query: ProductQuery, ids: ReadonlySet<number>, words: readonly string[]): Promise<ProductPage> {
    const found: Product[] = [];
    let from = query.after;
    let walked = 0;
    let reads = 0;
    const readBudget = Math.max(1, Math.floor(this.limits.scanBudget / (1 + words.length)));
    let chunk = Math.max(1, Math.ceil(this.limits.walkBudget / FIRST_WALK_SHARE));
    let growth = 1;
    for (;;) {
      const size = Math.min(chunk, this.limits.walkBudget - walked);
      const candidates = await this.run<CandidateRow>(candidatesSql(query, from, size + 1, this.mysql));
      const more = candidates.length > size;
      if (more) candidates.pop();
      if (candidates.length === 0) return { items: found, next: null };
      walked += candidates.length;
      const hits = candidates.filter((c) => ids.has(Number(c.id)));
      for (let i = 0; i < hits.length;) {
        const needed = query.limit + 1 - found.length;
        const taken = hits.slice(i, i + Math.min(needed * growth, readBudget - reads));
        i += taken.length;
        reads += taken.length;
        const through = positionOf(query, taken.at(-1)!);
        const matched = await this.products(
          matchesSql(
            query,
            taken.map((c) => Number(c.id)),
            words,
            { after: from, through },
            needed,
            this.mysql,
          ),
        );
        // Hits failing their other words or filters: the next batch reads more of them at once.
        if (matched.length < Math.min(needed, taken.length)) growth *= CHUNK_GROWTH;
        found.push(...matched);
        from = through;
        if (found.length > query.limit) return this.pageOf(query, found);
        if (reads >= readBudget && (i < hits.length || more)) return { items: found, next: through };
      }
      if (!more) return this.pageOf(query, found);
      from = positionOf(query, candidates.at(-1)!);
      if (walked >= this.limits.walkBudget) return { items: found, next: from };
      chunk *= CHUNK_GROWTH;
    }
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
      const through = positionOf(query, candidates.at(-1)!);
      const ids = candidates.map((c) => Number(c.id));
      found.push(
        ...(await this.products(matchesSql(query, ids, words, { after: from, through }, query.limit + 1 - found.length, this.mysql))),
      );
      if (found.length > query.limit || !more) return this.pageOf(query, found);
      if (examined >= budget) return { items: found, next: through };
      from = through;
      chunk *= CHUNK_GROWTH;
    }
  }

  private async products(statement: PageStatement): Promise<Product[]> {
    return (await this.run<ProductRow>(statement)).map((row) => ProductRows.toProduct(row));
  }

  /** A page from up to limit + 1 matches in order: the extra one only says that more follow. */
  private pageOf(query: ProductQuery, matches: readonly Product[]): ProductPage {
    const items = matches.slice(0, query.limit);
    const last = items.at(-1);
    return { items, next: matches.length > query.limit && last ? { value: sortValueOf(last, query.sort), id: last.id } : null };
  }
}

/** A candidate's position in the listing. */
function positionOf(query: ProductQuery, candidate: CandidateRow): KeysetPosition {
  return { value: query.sort === 'name' ? String(candidate.v) : Number(candidate.v), id: Number(candidate.id) };
}

/** The words worth checking: a word that begins another query word matches whenever that one does. */
function necessaryWords(words: readonly string[]): string[] {
  return words.filter((word) => !words.some((other) => other !== word && other.startsWith(word)));
}
