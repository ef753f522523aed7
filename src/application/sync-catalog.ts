import { inject, injectable } from 'inversify';
import { blindWriteTags } from '../domain/catalog-tags.js';
import type { CatalogCache } from '../domain/ports/catalog-cache.js';
import type { Clock } from '../domain/ports/clock.js';
import type { ExternalCatalog, PartnerProduct } from '../domain/ports/external-catalog.js';
import type { ProductDraft, ProductRepository } from '../domain/ports/product-repository.js';
import type { SyncCheckpoints } from '../domain/ports/sync-checkpoints.js';
import { TYPES } from '../types.js';

export const CATALOG_SYNC_CHECKPOINT = 'partner-catalog';

export interface SyncCatalogInput {
  /** Products asked for per partner page; each page is upserted as one batch. */
  readonly pageSize: number;
  /** Called after every committed batch. */
  readonly onProgress?: (progress: SyncProgress) => void;
}

export interface SyncProgress {
  /** Pages and products committed so far, counting those of the interrupted run this one resumed. */
  readonly pages: number;
  readonly items: number;
  /** Products this run inserted or changed. */
  readonly changed: number;
  /** The catalogue's size, when the partner tells. */
  readonly total?: number;
}

export interface SyncSummary extends SyncProgress {
  /** Pages an interrupted earlier run had committed, when this run resumed it; 0 for a fresh run. */
  readonly resumedAfterPages: number;
}

/**
 * Pulls every page of the partner catalogue into the products table. Idempotent: products are
 * written at the partner's version, so a second run changes nothing. Resumable: after each
 * committed batch the next cursor is saved, and a run finding an unfinished checkpoint continues
 * from it. Upsert commits in its own transaction, so the checkpoint is written just after it: a
 * crash in between replays one batch, which the version guard turns into a no-op.
 */
@injectable()
export class SyncCatalog {
  constructor(
    @inject(TYPES.ExternalCatalog) private readonly catalog: ExternalCatalog,
    @inject(TYPES.ProductRepository) private readonly products: ProductRepository,
    @inject(TYPES.CatalogCache) private readonly cache: CatalogCache,
    @inject(TYPES.SyncCheckpoints) private readonly checkpoints: SyncCheckpoints,
    @inject(TYPES.Clock) private readonly clock: Clock,
  ) {}

  async execute({ pageSize, onProgress }: SyncCatalogInput): Promise<SyncSummary> {
    const saved = await this.checkpoints.load(CATALOG_SYNC_CHECKPOINT);
    const resumed = saved !== null && !saved.completed && saved.cursor !== null ? saved : null;
    // The interrupted run may have committed a batch without getting to invalidate the cache.
    if (resumed) await this.cache.invalidateAll();
    let cursor = resumed?.cursor ?? null;
    let progress: SyncProgress = { pages: resumed?.pages ?? 0, items: resumed?.items ?? 0, changed: 0 };
    do {
      const page = await this.catalog.listProducts(cursor, pageSize);
      const changed = await this.products.upsert(page.items.map(toDraft));
      // Upsert does not tell which products changed or where they were before: every product of the batch counts.
      if (changed > 0) await this.cache.invalidate(blindWriteTags(page.items));
      cursor = page.nextCursor;
      progress = {
        pages: progress.pages + 1,
        items: progress.items + page.items.length,
        changed: progress.changed + changed,
        total: page.total,
      };
      const { pages, items } = progress;
      await this.checkpoints.save(CATALOG_SYNC_CHECKPOINT, {
        cursor,
        pages,
        items,
        completed: cursor === null,
        updatedAt: new Date(this.clock.now()),
      });
      onProgress?.(progress);
    } while (cursor !== null);
    return { ...progress, resumedAfterPages: resumed?.pages ?? 0 };
  }
}

/** The partner's own revision number is the version: a rerun writes equal versions, which change nothing. */
function toDraft(product: PartnerProduct): ProductDraft {
  const { sku, name, description, category, pricePaise, stock, version, createdAt, updatedAt } = product;
  return { sku, name, description, category, pricePaise, stock, version, createdAt, updatedAt };
}
