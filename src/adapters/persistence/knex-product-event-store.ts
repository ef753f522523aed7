import { setTimeout as delay } from 'node:timers/promises';
import type { Knex } from 'knex';
import { isMysql } from './knex-dialect.js';
import { applyProductChange, type AppliedChange, type VersionedProduct } from '../../domain/apply-product-change.js';
import type { ProductFacts, ProductWrite } from '../../domain/catalog-tags.js';
import type { PartnerEvent } from '../../domain/partner-event.js';
import type { ProductChange } from '../../domain/product-change.js';
import type { EventResult, ProductEventStore } from '../../domain/ports/product-event-store.js';
import { CURRENCY } from '../../domain/product.js';
import { databaseCall } from './database-call.js';
import { ProductRows } from './product-rows.js';

const INBOX = 'partner_event_inbox';
const MAX_ATTEMPTS = 8;

interface StoredRow {
  id: number;
  sku: string;
  name: string;
  description: string;
  category: string;
  price_paise: number | string;
  stock: number;
  version: number | string;
  deleted: number | boolean;
  content_version: number | string;
  price_version: number | string;
  stock_version: number | string;
  deleted_version: number | string;
}

/**
 * The inbox and the products share one database, so an event is recorded and applied in one
 * transaction. The inbox row goes first: a second delivery of the same event waits on its unique
 * key and then finds it, whichever process it reached. The product row is then read under a row
 * lock, so two events for one product apply one after the other.
 */
export class KnexProductEventStore implements ProductEventStore {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  apply(event: PartnerEvent): Promise<EventResult> {
    return databaseCall(async () => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          // Read committed: locking reads take no gap locks, so first events for two new products do not deadlock.
          return await this.knex.transaction((trx) => this.applyIn(trx, event), {
            isolationLevel: this.isMysql() ? 'read committed' : undefined,
          });
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS || !isConflict(error)) throw error;
          await delay(Math.random() * 10 * attempt);
        }
      }
    });
  }

  private async applyIn(trx: Knex.Transaction, event: PartnerEvent): Promise<EventResult> {
    const now = this.now();
    const recorded = await this.record(trx, event, now);
    if (!recorded) return { outcome: 'duplicate', write: null };
    if (!event.change) return { outcome: 'ignored', write: null };
    const write = await this.applyChange(trx, event.change, now);
    if (write) return { outcome: 'applied', write };
    await trx(INBOX).where('event_id', event.id).update({ outcome: 'superseded' });
    return { outcome: 'superseded', write: null };
  }

  /** False when the event id is recorded already (committed by another transaction). */
  private async record(trx: Knex.Transaction, event: PartnerEvent, now: number): Promise<boolean> {
    try {
      await trx(INBOX).insert({
        event_id: event.id,
        type: event.type,
        sku: event.change?.sku ?? null,
        version: event.change?.version ?? null,
        occurred_at: event.occurredAt.getTime(),
        received_at: now,
        outcome: event.change ? 'applied' : 'ignored',
        payload: event.payload,
      });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** The write, or null when the change was superseded. */
  private async applyChange(trx: Knex.Transaction, change: ProductChange, now: number): Promise<ProductWrite | null> {
    const query = trx<StoredRow>('products')
      .select([...STORED_COLUMNS])
      .where('sku', change.sku);
    const row: StoredRow | undefined = await (this.isMysql() ? query.forUpdate() : query).first();
    const current = row ? toVersioned(row) : null;
    const applied = applyProductChange(current, change);
    if (!applied) return null;
    const values = toColumns(applied, now);
    let id: number;
    if (row) {
      id = row.id;
      await trx('products').where('id', id).update(values);
    } else {
      // A concurrent first event for this sku makes this a duplicate key: the transaction is retried.
      const [inserted] = await trx('products').insert({ ...values, sku: change.sku, currency: CURRENCY, created_at: now });
      id = Number(inserted);
    }
    const wasLive = row ? !Number(row.deleted) : false;
    if (applied.contentChanged || applied.live !== wasLive) {
      await trx('product_terms').where('product_id', id).delete();
      const terms = applied.live ? ProductRows.terms(id, applied.product) : [];
      if (terms.length > 0) await trx('product_terms').insert(terms);
    }
    return { before: current && row ? facts(current, !Number(row.deleted)) : null, after: facts(applied.product, applied.live) };
  }

  private isMysql() {
    return isMysql(this.knex);
  }
}

const STORED_COLUMNS = [
  'id',
  'sku',
  'name',
  'description',
  'category',
  'price_paise',
  'stock',
  'version',
  'deleted',
  'content_version',
  'price_version',
  'stock_version',
  'deleted_version',
] as const;

function toVersioned(row: StoredRow): VersionedProduct {
  return {
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    pricePaise: Number(row.price_paise),
    stock: Number(row.stock),
    version: Number(row.version),
    parts: {
      content: Number(row.content_version),
      price: Number(row.price_version),
      stock: Number(row.stock_version),
      deleted: Number(row.deleted_version),
    },
  };
}

function facts({ sku, name, description, category, pricePaise, stock }: VersionedProduct, live: boolean): ProductFacts {
  return { sku, name, description, category, pricePaise, stock, live };
}

function toColumns({ product, live }: AppliedChange, now: number) {
  return {
    name: product.name,
    description: product.description,
    category: product.category,
    price_paise: product.pricePaise,
    stock: product.stock,
    version: product.version,
    deleted: live ? 0 : 1,
    content_version: product.parts.content,
    price_version: product.parts.price,
    stock_version: product.parts.stock,
    deleted_version: product.parts.deleted,
    updated_at: now,
  };
}

function isDuplicateKey(error: unknown): boolean {
  const { code } = error as { code?: string };
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Lost races a retry resolves: a deadlock, a lock wait timeout, two first events for one new sku. */
function isConflict(error: unknown): boolean {
  const { code } = error as { code?: string };
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || isDuplicateKey(error);
}
