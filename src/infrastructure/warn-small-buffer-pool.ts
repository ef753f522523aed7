import type { Knex } from 'knex';
import type { Logger } from 'pino';

/** Below this share of the tables' size, most uncached reads of a large catalogue go to disk. */
const SMALL_SHARE = 0.5;
const MB = 1024 * 1024;

/**
 * On MariaDB/MySQL, one warn line at start when the InnoDB buffer pool is far smaller than this
 * database's tables: with the default 128 MB and the 1M-product catalogue, uncached listings were
 * read from disk (p95 685 ms and 383 answers 503 at 32 connections, README, Running in production).
 * Never stops the start: a user without access to the statistics gets no line.
 */
export async function warnIfBufferPoolSmall(knex: Knex, logger: Logger): Promise<void> {
  try {
    const [rows] = (await knex.raw(
      'SELECT @@innodb_buffer_pool_size AS pool, ' +
        '(SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.TABLES WHERE table_schema = DATABASE()) AS tables',
    )) as [Array<{ pool: number | string; tables: number | string }>];
    const pool = Number(rows[0]?.pool ?? 0);
    const tables = Number(rows[0]?.tables ?? 0);
    if (pool > 0 && pool < tables * SMALL_SHARE) {
      const bufferPoolMb = Math.round(pool / MB);
      const tablesMb = Math.round(tables / MB);
      logger.warn(
        { bufferPoolMb, tablesMb },
        `the InnoDB buffer pool (${bufferPoolMb} MB) is far smaller than this database's tables (${tablesMb} MB): uncached reads go to disk and slow every listing; set innodb_buffer_pool_size to at least ${tablesMb} MB (README, Running in production)`,
      );
    }
  } catch (error) {
    logger.debug({ err: error }, 'could not compare the InnoDB buffer pool with the tables');
  }
}
