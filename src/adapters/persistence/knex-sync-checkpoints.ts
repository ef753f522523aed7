import type { Knex } from 'knex';
import type { SyncCheckpoint, SyncCheckpoints } from '../../domain/ports/sync-checkpoints.js';

interface CheckpointRow {
  name: string;
  cursor: string | null;
  pages: number | string;
  items: number | string;
  completed: number | boolean;
  updated_at: number | string;
}

/** One row per import in `sync_checkpoints`, replaced with a single upsert statement. */
export class KnexSyncCheckpoints implements SyncCheckpoints {
  constructor(private readonly knex: Knex) {}

  async load(name: string): Promise<SyncCheckpoint | null> {
    const row = await this.knex<CheckpointRow>('sync_checkpoints').where('name', name).first();
    if (!row) return null;
    return {
      cursor: row.cursor,
      pages: Number(row.pages),
      items: Number(row.items),
      completed: Boolean(row.completed),
      updatedAt: new Date(Number(row.updated_at)),
    };
  }

  async save(name: string, checkpoint: SyncCheckpoint): Promise<void> {
    const row: CheckpointRow = {
      name,
      cursor: checkpoint.cursor,
      pages: checkpoint.pages,
      items: checkpoint.items,
      completed: checkpoint.completed,
      updated_at: checkpoint.updatedAt.getTime(),
    };
    await this.knex('sync_checkpoints').insert(row).onConflict('name').merge();
  }
}
