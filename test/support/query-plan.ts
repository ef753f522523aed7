import type { Knex } from 'knex';

export interface TableAccess {
  readonly table: string;
  readonly access: string;
  readonly key: string | null;
  /** The index columns the access narrows on: ["category"] is a ref on the category alone. */
  readonly keyParts: readonly string[];
  readonly rows: number;
}

export interface QueryPlan {
  /** Every table read anywhere in the plan, subqueries and derived tables included. */
  readonly tables: readonly TableAccess[];
  /** For each filesort, the tables it sorts rows of directly (not through a materialised subquery). */
  readonly filesorts: readonly (readonly string[])[];
  readonly json: unknown;
}

type Node = Record<string, unknown>;
/** The fields of an EXPLAIN FORMAT=JSON table access the tests read (MariaDB writes them as strings and numbers). */
interface ExplainTable {
  readonly table_name?: string;
  readonly access_type?: string;
  readonly key?: string;
  readonly used_key_parts?: string[];
  readonly rows?: number;
}

// Keys under which MariaDB's EXPLAIN FORMAT=JSON nests another query block: a filesort above one
// of them sorts that block's result, not the rows of the tables inside it.
const QUERY_BOUNDARIES = new Set(['materialized', 'subqueries', 'query_specifications', 'union_result']);

/** Runs MariaDB's EXPLAIN FORMAT=JSON on a statement and flattens what the tests look at. */
export async function explainPlan(knex: Knex, sql: string, bindings: readonly unknown[]): Promise<QueryPlan> {
  const [rows] = (await knex.raw(`EXPLAIN FORMAT=JSON ${sql}`, bindings as Knex.RawBinding[])) as [Node[]];
  const json = JSON.parse(String(rows[0].EXPLAIN)) as Node;
  const tables: TableAccess[] = [];
  const filesorts: string[][] = [];
  walk(json, (node) => {
    const table = node.table as ExplainTable | undefined;
    if (table?.table_name !== undefined) {
      tables.push({
        table: String(table.table_name),
        access: String(table.access_type),
        key: table.key === undefined ? null : String(table.key),
        keyParts: (table.used_key_parts ?? []).map(String),
        rows: Number(table.rows ?? 0),
      });
    }
    if (node.filesort !== undefined) filesorts.push(directTables(node.filesort));
  });
  return { tables, filesorts, json };
}

function walk(value: unknown, visit: (node: Node) => void) {
  if (Array.isArray(value)) value.forEach((item) => walk(item, visit));
  else if (value !== null && typeof value === 'object') {
    visit(value as Node);
    Object.values(value).forEach((child) => walk(child, visit));
  }
}

function directTables(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(directTables);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    if (QUERY_BOUNDARIES.has(key)) return [];
    const name = key === 'table' ? (child as ExplainTable).table_name : undefined;
    return [...(name === undefined ? [] : [String(name)]), ...directTables(child)];
  });
}
