import type { Product } from '../../domain/product.js';
import type { ProductQuery } from '../../domain/product-query.js';
import type { ProductDraft, ProductPage, ProductRepository } from '../../domain/ports/product-repository.js';
import type { ReplicaRouter } from './replica-router.js';

/**
 * Listings, detail and search on a read replica that has applied every write committed before the
 * read began (ReplicaRouter), else on the primary; writes always on the primary.
 */
export class ReplicaRoutedProductRepository implements ProductRepository {
  constructor(
    private readonly primary: ProductRepository,
    /** One repository per replica, by the replica's name. */
    private readonly replicas: ReadonlyMap<string, ProductRepository>,
    private readonly router: ReplicaRouter,
  ) {}

  async list(query: ProductQuery): Promise<ProductPage> {
    return (await this.reader()).list(query);
  }

  async findById(id: number): Promise<Product | null> {
    return (await this.reader()).findById(id);
  }

  upsert(drafts: readonly ProductDraft[]): Promise<number> {
    return this.primary.upsert(drafts);
  }

  private async reader(): Promise<ProductRepository> {
    const replica = await this.router.choose().catch(() => null);
    return (replica && this.replicas.get(replica.name)) ?? this.primary;
  }
}
