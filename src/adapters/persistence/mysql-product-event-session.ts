import type { PartnerEvent } from '../../domain/partner-event.js';
import type { ProductChange } from '../../domain/product-change.js';
import type { EventResult } from '../../domain/ports/product-event-store.js';
import { CURRENCY } from '../../domain/product.js';
import { planProductWrite, STORED_COLUMNS, WRITTEN_COLUMNS, type ProductWritePlan, type StoredRow } from './product-write-plan.js';
import { ProductRows } from './product-rows.js';
import { driverQuery, type KnexDriverClient } from './knex-driver-call.js';

/** The part of a mysql2 connection this session uses. */
export interface SessionConnection {
  destroy(): void;
}

interface Statement {
  readonly sql: string;
  readonly bindings: readonly (string | number | null)[];
}

// Every value below is a `?` the driver escapes, never text pasted into the SQL: these run on
// connections that accept several statements per call, where an injected `;` would start a new one.
// Column and table names are constants of this file.
const BEGIN_READ_COMMITTED: Statement[] = [
  // Read committed: locking reads take no gap locks, so first events for two new products do not deadlock.
  { sql: 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED', bindings: [] },
  { sql: 'START TRANSACTION', bindings: [] },
];
const COMMIT: Statement = { sql: 'COMMIT', bindings: [] };
const INSERT_INBOX =
  'INSERT INTO partner_event_inbox (event_id, type, sku, version, occurred_at, received_at, outcome, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const SELECT_FOR_UPDATE = `SELECT ${STORED_COLUMNS.join(', ')} FROM products WHERE sku = ? FOR UPDATE`;
const UPDATE_PRODUCT = `UPDATE products SET ${WRITTEN_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`;
const INSERT_PRODUCT = `INSERT INTO products (${WRITTEN_COLUMNS.join(', ')}, sku, currency, created_at) VALUES (${WRITTEN_COLUMNS.map(() => '?').join(', ')}, ?, ?, ?)`;

const SELECTED = BEGIN_READ_COMMITTED.length + 1;

/**
 * Applies one partner event on MySQL/MariaDB in as few round trips as the outcome allows, on a
 * connection that accepts several statements per call (the write pool's `multipleStatements`).
 * Each round trip is a socket write and a wake-up on both sides, and a Knex transaction adds its own
 * per-statement machinery: six round trips for a stock change (isolation level, BEGIN, inbox row,
 * locked read, update, COMMIT) cost the service about 2,650 µs of CPU per webhook and MariaDB about
 * 1,020; these two cost about 1,650 and 710 (3,000 stock and price webhooks, 16 at once, one worker). Here:
 *
 *   1. the isolation level, START TRANSACTION, the inbox row, the product read under its row lock;
 *   2. the product update (with the search terms, when they change) and COMMIT; or, superseded,
 *      the inbox row's outcome and COMMIT.
 *
 * A new product takes three (its id comes back from its INSERT); an event of an unknown type one
 * (its inbox row, autocommitted). A duplicate event id stops the first batch at the inbox row.
 * Whatever fails, the transaction is rolled back before the connection goes back to the pool, and
 * a connection whose rollback failed is closed instead. Statements go through the client's `_query`,
 * so the statement guard cancels them with their request and translates a full pool, as it does for
 * every Knex query.
 */
export class MysqlProductEventSession {
  constructor(private readonly client: KnexDriverClient<SessionConnection>) {}

  /** One attempt; a conflict (deadlock, lock wait timeout, duplicate sku) is thrown, rolled back. */
  async apply(event: PartnerEvent, now: number): Promise<EventResult> {
    const connection = await this.client.acquireConnection();
    try {
      return await this.applyOn(connection, event, now);
    } finally {
      await this.client.releaseConnection(connection);
    }
  }

  private async applyOn(connection: SessionConnection, event: PartnerEvent, now: number): Promise<EventResult> {
    const record = inboxRow(event, now);
    if (!event.change) {
      try {
        await this.run(connection, [record]);
        return { outcome: 'ignored', write: null };
      } catch (error) {
        if (isDuplicateKey(error)) return { outcome: 'duplicate', write: null };
        throw error;
      }
    }
    let recorded = false;
    try {
      const results = await this.run(connection, [
        ...BEGIN_READ_COMMITTED,
        record,
        { sql: SELECT_FOR_UPDATE, bindings: [event.change.sku] },
      ]);
      recorded = true;
      const [row] = results[SELECTED] as StoredRow[];
      return await this.write(connection, event, event.change, row, now);
    } catch (error) {
      await this.rollBack(connection);
      if (!recorded && isDuplicateKey(error)) return { outcome: 'duplicate', write: null };
      throw error;
    }
  }

  private async write(
    connection: SessionConnection,
    event: PartnerEvent,
    change: ProductChange,
    row: StoredRow | undefined,
    now: number,
  ): Promise<EventResult> {
    const plan = planProductWrite(row, change, now);
    if (!plan) {
      const supersede = { sql: 'UPDATE partner_event_inbox SET outcome = ? WHERE event_id = ?', bindings: ['superseded', event.id] };
      await this.run(connection, [supersede, COMMIT]);
      return { outcome: 'superseded', write: null };
    }
    const values = WRITTEN_COLUMNS.map((column) => plan.columns[column]);
    if (row) {
      await this.run(connection, [{ sql: UPDATE_PRODUCT, bindings: [...values, row.id] }, ...termStatements(row.id, plan), COMMIT]);
    } else {
      // A concurrent first event for this sku makes this a duplicate key: the caller retries.
      const [inserted] = await this.run(connection, [{ sql: INSERT_PRODUCT, bindings: [...values, change.sku, CURRENCY, now] }]);
      await this.run(connection, [...termStatements((inserted as { insertId: number }).insertId, plan), COMMIT]);
    }
    return { outcome: 'applied', write: plan.write };
  }

  /** One round trip; the result of each statement, in order. */
  private async run(connection: SessionConnection, statements: readonly Statement[]): Promise<unknown[]> {
    const sql = statements.map((s) => s.sql).join(';\n');
    const result = await driverQuery(
      this.client,
      connection,
      sql,
      statements.flatMap((s) => s.bindings),
    );
    return statements.length === 1 ? [result] : (result as unknown[]);
  }

  private async rollBack(connection: SessionConnection): Promise<void> {
    try {
      await this.run(connection, [{ sql: 'ROLLBACK', bindings: [] }]);
    } catch {
      // Unsure what the session holds: the pool drops a closed connection instead of lending it again.
      connection.destroy();
    }
  }
}

function inboxRow(event: PartnerEvent, now: number): Statement {
  const { change } = event;
  return {
    sql: INSERT_INBOX,
    bindings: [
      event.id,
      event.type,
      change?.sku ?? null,
      change?.version ?? null,
      event.occurredAt.getTime(),
      now,
      change ? 'applied' : 'ignored',
      event.payload,
    ],
  };
}

function termStatements(productId: number, plan: ProductWritePlan): Statement[] {
  if (!plan.rewriteTerms) return [];
  const remove = { sql: 'DELETE FROM product_terms WHERE product_id = ?', bindings: [productId] };
  const terms = plan.live ? ProductRows.terms(productId, plan.product) : [];
  if (terms.length === 0) return [remove];
  const insert = {
    sql: `INSERT INTO product_terms (product_id, term) VALUES ${terms.map(() => '(?, ?)').join(', ')}`,
    bindings: terms.flatMap((t) => [t.product_id, t.term]),
  };
  return [remove, insert];
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: string }).code === 'ER_DUP_ENTRY';
}
