/** A partner event as it travels: the JSON body of one delivery. */
export interface WirePartnerEvent {
  readonly id: string;
  readonly type: string;
  /** ISO 8601. */
  readonly occurredAt: string;
  readonly data: Record<string, unknown>;
}

const OCCURRED_AT = Date.UTC(2026, 10, 24, 9, 0, 0);

/**
 * A product's history as wire events, versions 1..length: created, then price, stock and content
 * changes, with a deletion and a re-creation when the history is long enough. `eventId` names each.
 */
export function productHistory(sku: string, length: number, eventId = (version: number) => `evt_${sku}_v${version}`): WirePartnerEvent[] {
  return Array.from({ length }, (_, i) => {
    const version = i + 1;
    const at = new Date(OCCURRED_AT + version * 1_000).toISOString();
    const base = { id: eventId(version), occurredAt: at };
    const step = version === 1 ? 0 : version % 7 === 0 ? 4 : ((version - 2) % 3) + 1;
    switch (step) {
      case 1:
        return { ...base, type: 'product.price_changed', data: { sku, version, price: `${40 + version}.50` } };
      case 2:
        return { ...base, type: 'product.stock_changed', data: { sku, version, stock: 3 * version } };
      case 4:
        return { ...base, type: 'product.deleted', data: { sku, version } };
      default:
        return {
          ...base,
          type: 'product.upserted',
          data: {
            sku,
            version,
            name: `Farm Fresh Okra ${sku} v${version}`,
            description: 'Harvested this morning near Nashik.',
            category: 'vegetables',
            price: `${30 + version}.00`,
            stock: 10 + version,
          },
        };
    }
  });
}
