/** Price and stock of one product as the partner last reported them. */
export interface AvailabilitySnapshot {
  readonly sku: string;
  readonly pricePaise: number;
  readonly stock: number;
  /** When the partner gave these values. */
  readonly asOf: Date;
}

/** The last known good availability per sku, served when the partner cannot answer. */
export interface LastKnownAvailability {
  /**
   * Keeps `snapshot` unless a snapshot of the same sku with a later or equal `asOf` is already
   * stored, decided atomically by the store, so a slow answer never overwrites a newer one.
   * Snapshots are kept for the configured retention, then forgotten.
   */
  remember(snapshot: AvailabilitySnapshot): Promise<void>;

  /** The stored snapshot for `sku`, or null when none is known (never stored, or past retention). */
  recall(sku: string): Promise<AvailabilitySnapshot | null>;
}
