/** The fields every description of a product carries, whoever writes it. Prices are integer paise. */
export interface ProductFields {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly category: string;
  readonly pricePaise: number;
  readonly stock: number;
  readonly version: number;
}
