import { inject, injectable } from 'inversify';
import { ProductNotFoundError } from '../domain/errors/product-not-found-error.js';
import type { ProductRepository } from '../domain/ports/product-repository.js';
import type { Product } from '../domain/product.js';
import { TYPES } from '../types.js';

@injectable()
export class GetProduct {
  constructor(@inject(TYPES.ProductRepository) private readonly products: ProductRepository) {}

  async execute(id: number): Promise<Product> {
    const product = await this.products.findById(id);
    if (!product) throw new ProductNotFoundError(String(id));
    return product;
  }
}
