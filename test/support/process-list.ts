import type { Knex } from 'knex';

/** How many statements whose text contains `marker` MariaDB is running now (other than this query). */
export async function sleepingStatements(knex: Knex, marker: string): Promise<number> {
  const [rows] = (await knex.raw(
    'SELECT COUNT(*) AS n FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND command = ? AND info LIKE ?',
    ['Query', `%${marker}%`],
  )) as [Array<{ n: number | string }>];
  return Number(rows[0]?.n ?? 0);
}

/** Polls `condition` until it holds or `attempts` polls 50 ms apart have passed; says which. */
export async function waitUntil(condition: () => Promise<boolean>, attempts = 400): Promise<boolean> {
  for (let i = 0; i < attempts; i += 1) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** How many statements on `database` wait for a table lock (see lockTable) right now. */
export async function lockedStatements(knex: Knex, database: string): Promise<number> {
  const [rows] = (await knex.raw(
    "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = ? AND command = 'Query' AND state LIKE '%metadata lock%'",
    [database],
  )) as [Array<{ n: number | string }>];
  return Number(rows[0]?.n ?? 0);
}
