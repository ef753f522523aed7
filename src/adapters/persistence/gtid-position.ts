/**
 * A MariaDB GTID position (`@@gtid_binlog_pos`, `@@gtid_slave_pos`): per replication domain, the
 * sequence number of the last transaction, e.g. `0-1-42,1-2-7`. Sequence numbers only grow within
 * a domain, whatever server wrote them, so one position covers another when every domain of the
 * other is at or below it.
 */
export class GtidPosition {
  private constructor(
    /** domain -> sequence number */
    private readonly domains: ReadonlyMap<number, bigint>,
    readonly text: string,
  ) {}

  static parse(text: string | null | undefined): GtidPosition {
    const domains = new Map<number, bigint>();
    const trimmed = (text ?? '').trim();
    for (const part of trimmed === '' ? [] : trimmed.split(',')) {
      const match = /^(\d+)-(\d+)-(\d+)$/.exec(part.trim());
      if (!match) throw new Error(`not a GTID position: ${text}`);
      const domain = Number(match[1]);
      const seq = BigInt(match[3]);
      if ((domains.get(domain) ?? -1n) < seq) domains.set(domain, seq);
    }
    return new GtidPosition(domains, trimmed);
  }

  /** True when every transaction in `other` is at or before this position. */
  covers(other: GtidPosition): boolean {
    for (const [domain, seq] of other.domains) if ((this.domains.get(domain) ?? -1n) < seq) return false;
    return true;
  }

  /** The later of the two, domain by domain. */
  max(other: GtidPosition): GtidPosition {
    if (this.covers(other)) return this;
    if (other.covers(this)) return other;
    const domains = new Map(this.domains);
    for (const [domain, seq] of other.domains) if ((domains.get(domain) ?? -1n) < seq) domains.set(domain, seq);
    // Only compared, never sent: the text keeps the domains without server ids.
    return new GtidPosition(domains, [...domains].map(([domain, seq]) => `${domain}-0-${seq}`).join(','));
  }
}
