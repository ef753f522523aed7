import { expect } from 'chai';
import { isoTimestamp } from '../../src/adapters/http/iso-timestamp.js';
import { seededRandom } from '../../src/infrastructure/seed/catalog-generator.js';

describe('isoTimestamp', () => {
  it('given any instant from 1970 to 9999, formats it exactly as Date#toISOString does', () => {
    const random = seededRandom(42);
    const edges = [0, 1, 999, 1_000, 59_999, 86_399_999, 86_400_000, 951_782_400_000, 1_709_164_799_999, 253_402_300_799_999];
    const samples = [...edges, ...Array.from({ length: 20_000 }, () => Math.floor(random() * 253_402_300_800_000))];
    for (const ms of samples) expect(isoTimestamp(new Date(ms)), String(ms)).to.equal(new Date(ms).toISOString());
  });

  it('given an instant outside that range, falls back to Date#toISOString', () => {
    for (const ms of [-1, -62_198_755_200_000, 253_402_300_800_000, 8.64e15]) {
      expect(isoTimestamp(new Date(ms))).to.equal(new Date(ms).toISOString());
    }
  });
});
