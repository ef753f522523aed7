/** The seeder found products or search terms already there and was not asked to replace them. */
export class CatalogNotEmptyError extends Error {
  override readonly name = 'CatalogNotEmptyError';

  constructor(readonly products: number) {
    super(
      `the catalogue already holds ${products} product(s); refusing to seed on top of it. ` +
        'Run again with --reset to empty products and product_terms first.',
    );
  }
}
