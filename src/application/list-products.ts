import { inject, injectable } from 'inversify';
import { InvalidQueryError } from '../domain/errors/invalid-query-error.js';
import type { ProductPage, ProductRepository } from '../domain/ports/product-repository.js';
import type { ProductQuery } from '../domain/product-query.js';
import { TYPES } from '../types.js';

@injectable()
export class ListProducts {
  constructor(@inject(TYPES.ProductRepository) private readonly products: ProductRepository) {}

  async execute(query: ProductQuery): Promise<ProductPage> {
    const { minPricePaise: min, maxPricePaise: max } = query;
    if (min !== undefined && max !== undefined && min > max) {
      throw new InvalidQueryError([{ field: 'minPrice', message: 'must not be greater than maxPrice' }]);
    }
    return this.products.list(query);
  }
}
