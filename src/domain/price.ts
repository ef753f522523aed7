import { InvalidPriceError } from './errors/invalid-price-error.js';

const RUPEES = /^(\d{1,9})(?:\.(\d{1,2}))?$/;

/** Rupee amounts as exact integer paise, parsed from and printed as decimal strings like "12.50". */
export const Price = {
  /** What a rupee amount looks like, for schemas that document it: up to 9 digits, then up to 2 decimals. */
  PATTERN: RUPEES,
  RULE: 'must be a decimal rupee amount like 12.50',

  /** "12.5" -> 1250 paise. Throws InvalidPriceError for anything else (signs, exponents, 3 decimals, ...). */
  parse(text: string): number {
    const match = RUPEES.exec(text);
    if (!match) throw new InvalidPriceError(text);
    return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  },

  formatRupees(paise: number): string {
    const rupees = Math.floor(paise / 100);
    return `${rupees}.${String(paise % 100).padStart(2, '0')}`;
  },
};
