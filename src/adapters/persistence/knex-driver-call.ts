/**
 * The part of Knex's client (typed `any` by Knex) that direct driver calls use: its pool, its
 * 'query' event, and the dialect's driver call, which for mysql2 answers `[result, fields]`.
 */
export interface KnexDriverClient<Connection = unknown> {
  acquireConnection(): Promise<Connection>;
  releaseConnection(connection: Connection): Promise<unknown>;
  emit(event: 'query', statement: object): boolean;
  _query(connection: Connection, statement: object): Promise<{ response: [unknown, unknown] }>;
}

/**
 * Runs `sql` on `connection` (from the client's own pool) straight through the dialect's `_query`,
 * skipping Knex's query runner (query events aside, its response processing and debug hooks cost
 * about as much CPU as the driver call itself). It still emits the 'query' event for whoever listens
 * on the Knex instance, and the statement guard, which wraps `_query`, still bounds and cancels it.
 * Answers mysql2's result: rows for one SELECT, one result per statement for several.
 */
export async function driverQuery<Connection>(
  client: KnexDriverClient<Connection>,
  connection: Connection,
  sql: string,
  bindings: readonly (string | number | null)[],
): Promise<unknown> {
  const statement = { method: 'raw', sql, bindings, options: {} };
  client.emit('query', statement);
  const { response } = await client._query(connection, statement);
  return response[0];
}
