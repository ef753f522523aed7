import { setTimeout as delay } from 'node:timers/promises';
import type { Knex } from 'knex';
import { isMysql } from './knex-dialect.js';
import type { PartnerEvent } from '../../domain/partner-event.js';
import type { ProductChange } from '../../domain/product-change.js';
import type { EventResult, ProductEventStore } from '../../domain/ports/product-event-store.js';
import { CURRENCY } from '../../domain/product.js';
import { databaseCall } from './database-call.js';
import type { KnexDriverClient } from './knex-driver-call.js';
import { MysqlProductEventSession, type SessionConnection } from './mysql-product-event-session.js';
import { planProductWrite, STORED_COLUMNS, type ProductWritePlan, type StoredRow } from './product-write-plan.js';
import { ProductRows } from './product-rows.js';

const INBOX = 'partner_event_inbox';
const MAX_ATTEMPTS = 8;

/**
 * The inbox and the products share one database, so an event is recorded and applied in one
 * transaction. The inbox row goes first: a second delivery of the same event waits on its unique
 * key and then finds it, whichever process it reached. The product row is then read under a row
 * lock, so two events for one product apply one after the other.
 *
 * On MySQL/MariaDB connections that accept several statements per call (the service's write pool),
 * MysqlProductEventSession does this in two round trips; elsewhere (SQLite, a MySQL pool without
 * `multipleStatements`) it is a Knex transaction.
 */
export class KnexProductEventStore implements ProductEventStore {
  private readonly session: MysqlProductEventSession | null;

  constructor(
    private readonly knex: Knex,
    private readonly now: () => number = Date.now,
  ) {
    this.session = acceptsStatementBatches(knex) ? new MysqlProductEventSession(knex.client as KnexDriverClient<SessionConnection>) : null;
  }

  apply(event: PartnerEvent): Promise<EventResult> {
    return databaseCall(async () => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await this.attempt(event);
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS || !isConflict(error)) throw error;
          await delay(Math.random() * 10 * attempt);
        }
      }
    });
  }

  private attempt(event: PartnerEvent): Promise<EventResult> {
    if (this.session) return this.session.apply(event, this.now());
    // Read committed: locking reads take no gap locks, so first events for two new products do not deadlock.
    return this.knex.transaction((trx) => this.applyIn(trx, event), {
      isolationLevel: isMysql(this.knex) ? 'read committed' : undefined,
    });
  }

  private async applyIn(trx: Knex.Transaction, event: PartnerEvent): Promise<EventResult> {
    const now = this.now();
    const recorded = await this.record(trx, event, now);
    if (!recorded) return { outcome: 'duplicate', write: null };
    if (!event.change) return { outcome: 'ignored', write: null };
    const plan = await this.applyChange(trx, event.change, now);
    if (plan) return { outcome: 'applied', write: plan.write };
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

  /** The write made, or null when the change was superseded. */
  private async applyChange(trx: Knex.Transaction, change: ProductChange, now: number): Promise<ProductWritePlan | null> {
    const query = trx<StoredRow>('products')
      .select([...STORED_COLUMNS])
      .where('sku', change.sku);
    const row: StoredRow | undefined = await (isMysql(this.knex) ? query.forUpdate() : query).first();
    const plan = planProductWrite(row, change, now);
    if (!plan) return null;
    let id: number;
    if (row) {
      id = row.id;
      await trx('products').where('id', id).update(plan.columns);
    } else {
      // A concurrent first event for this sku makes this a duplicate key: the transaction is retried.
      const [inserted] = await trx('products').insert({ ...plan.columns, sku: change.sku, currency: CURRENCY, created_at: now });
      id = Number(inserted);
    }
    if (plan.rewriteTerms) {
      await trx('product_terms').where('product_id', id).delete();
      const terms = plan.live ? ProductRows.terms(id, plan.product) : [];
      if (terms.length > 0) await trx('product_terms').insert(terms);
    }
    return plan;
  }
}

function acceptsStatementBatches(knex: Knex): boolean {
  const connection = (knex.client as Knex.Client).config.connection as { multipleStatements?: boolean } | undefined;
  return isMysql(knex) && connection?.multipleStatements === true;
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
