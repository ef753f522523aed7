import { InvalidQueryError } from './errors/invalid-query-error.js';

const RUPEES = /^(\d{1,9})(?:\.(\d{1,2}))?$/;

/** Rupee amounts as exact integer paise, parsed from and printed as decimal strings like "12.50". */
export const Price = {
  parseRupees(field: string, text: string): number {
    const match = RUPEES.exec(text);
    if (!match) {
      throw new InvalidQueryError([{ field, message: 'must be a decimal rupee amount like 12.50' }]);
    }
    return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  },

  formatRupees(paise: number): string {
    const rupees = Math.floor(paise / 100);
    return `${rupees}.${String(paise % 100).padStart(2, '0')}`;
  },
};
