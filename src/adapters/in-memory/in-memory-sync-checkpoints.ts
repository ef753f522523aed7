import type { SyncCheckpoint, SyncCheckpoints } from '../../domain/ports/sync-checkpoints.js';

/** Checkpoints in process memory: correct within one process, lost on restart (tests, tooling). */
export class InMemorySyncCheckpoints implements SyncCheckpoints {
  private readonly saved = new Map<string, SyncCheckpoint>();

  async load(name: string): Promise<SyncCheckpoint | null> {
    return this.saved.get(name) ?? null;
  }

  async save(name: string, checkpoint: SyncCheckpoint): Promise<void> {
    this.saved.set(name, { ...checkpoint });
  }
}
