import type { PartnerEvent } from '../../src/domain/partner-event.js';
import type { ProductChange } from '../../src/domain/product-change.js';

const OCCURRED_AT = new Date(Date.UTC(2026, 10, 24, 10, 0, 0));

/** A PartnerEvent for `change`, with an id derived from it unless one is given. */
export function eventOf(change: ProductChange, id = `evt_${change.sku}_${change.version}_${change.type}`): PartnerEvent {
  return { id, type: change.type, occurredAt: OCCURRED_AT, change, payload: JSON.stringify({ id, change }) };
}

export function upserted(sku: string, version: number, fields: Partial<Extract<ProductChange, { type: 'product.upserted' }>> = {}) {
  return eventOf({
    type: 'product.upserted',
    sku,
    version,
    name: `Desi Cow Ghee v${version}`,
    description: `Slow-cooked, batch ${version}.`,
    category: 'dairy',
    pricePaise: 50_000 + version,
    stock: 10 + version,
    ...fields,
  });
}

export function priceChanged(sku: string, version: number, pricePaise = 70_000 + version) {
  return eventOf({ type: 'product.price_changed', sku, version, pricePaise });
}

export function stockChanged(sku: string, version: number, stock = 100 + version) {
  return eventOf({ type: 'product.stock_changed', sku, version, stock });
}

export function deleted(sku: string, version: number) {
  return eventOf({ type: 'product.deleted', sku, version });
}

export function unknownTypeEvent(id: string, type = 'product.reviewed'): PartnerEvent {
  return { id, type, occurredAt: OCCURRED_AT, change: null, payload: JSON.stringify({ id, type, data: { stars: 5 } }) };
}

/** Mulberry32, so shuffles are reproducible. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
