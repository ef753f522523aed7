import { expect } from 'chai';
import { GtidPosition } from '../../src/adapters/persistence/gtid-position.js';

describe('GtidPosition', () => {
  it('covers, when every domain of the other is at or below this one, is true whatever server wrote it', () => {
    expect(GtidPosition.parse('0-1-42,1-2-7').covers(GtidPosition.parse('0-3-42'))).to.equal(true);
    expect(GtidPosition.parse('0-1-42').covers(GtidPosition.parse(''))).to.equal(true);
  });

  it('covers, when the other is further in a domain or has a domain this one lacks, is false', () => {
    expect(GtidPosition.parse('0-1-42').covers(GtidPosition.parse('0-1-43'))).to.equal(false);
    expect(GtidPosition.parse('0-1-42').covers(GtidPosition.parse('0-1-1,2-1-1'))).to.equal(false);
    expect(GtidPosition.parse('').covers(GtidPosition.parse('0-1-1'))).to.equal(false);
  });

  it('max, of two positions ahead in different domains, covers both', () => {
    const merged = GtidPosition.parse('0-1-10,1-1-2').max(GtidPosition.parse('0-1-4,1-1-9'));
    expect(merged.covers(GtidPosition.parse('0-1-10,1-1-9'))).to.equal(true);
    expect(merged.covers(GtidPosition.parse('0-1-11'))).to.equal(false);
  });

  it('parse, given something that is not a position, throws', () => {
    expect(() => GtidPosition.parse('0-1')).to.throw(/not a GTID position/);
  });
});
