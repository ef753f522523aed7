/** Longest term kept; longer words are cut, so a query word is cut the same way before matching. */
export const MAX_TERM_LENGTH = 32;

/**
 * The words a text is searchable by: lower-cased runs of letters and digits, each at most
 * MAX_TERM_LENGTH characters, without repeats. A query word matches a product when it is a prefix
 * of one of these terms, so search works on word beginnings and never inside a word.
 */
export function searchTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word) terms.add(word.slice(0, MAX_TERM_LENGTH));
  }
  return [...terms];
}
