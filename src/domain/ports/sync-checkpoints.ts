/** How far a resumable import has come: everything before `cursor` is committed. */
export interface SyncCheckpoint {
  /** Where the next batch starts; null with `completed` once the import has finished. */
  readonly cursor: string | null;
  readonly pages: number;
  readonly items: number;
  readonly completed: boolean;
  readonly updatedAt: Date;
}

/** Durable progress of named imports (for example `partner-catalog`), so a crash loses at most one batch. */
export interface SyncCheckpoints {
  /** The checkpoint last saved under `name`, or null when there is none. */
  load(name: string): Promise<SyncCheckpoint | null>;

  /** Replaces the checkpoint under `name` in one atomic write; saving the same value again is harmless. */
  save(name: string, checkpoint: SyncCheckpoint): Promise<void>;
}
