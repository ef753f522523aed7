import { createConnection, type Connection } from 'mysql2/promise';

export interface TableLock {
  release(): Promise<void>;
}

/**
 * Holds `LOCK TABLES <table> WRITE` on a connection of its own, so every other statement reading
 * the table waits (state "Waiting for table metadata lock") until release(): a statement that is
 * slow deterministically, without a sleep in the code under test.
 */
export async function lockTable(databaseUrl: string, table: string): Promise<TableLock> {
  const url = new URL(databaseUrl);
  const connection: Connection = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)),
  });
  await connection.query(`LOCK TABLES ${connection.escapeId(table)} WRITE`);
  return {
    async release() {
      await connection.query('UNLOCK TABLES');
      await connection.end();
    },
  };
}
