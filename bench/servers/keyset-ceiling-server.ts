import Koa from 'koa';
import mysql from 'mysql2/promise';
import { inCluster } from './cluster.js';

// Ceiling for uncached listings: a bare Koa route and a mysql2 pool running the keyset SELECT the
// repository emits for /keyset?sort=&order=&category=&limit=&value=&id=, rows sent as JSON. Koa,
// like the other ceiling and the service, so the ratio shows what the service adds to it.
const { PORT, WORKERS, DATABASE_URL, POOL_SIZE } = process.env as Record<string, string>;
const COLUMNS = 'id, sku, name, description, category, price_paise, currency, stock, version, created_at, updated_at';
const SORT_COLUMNS: Record<string, string> = { createdAt: 'created_at', price: 'price_paise', name: 'name' };
const CATEGORY_INDEXES: Record<string, string> = {
  created_at: 'products_category_created_at_id',
  price_paise: 'products_category_price_id',
  name: 'products_category_name_id',
};

await inCluster(Number(WORKERS), async () => {
  const pool = mysql.createPool({ uri: DATABASE_URL, connectionLimit: Number(POOL_SIZE), supportBigNumbers: true });
  const app = new Koa();
  app.use(async (ctx) => {
    const params = new URLSearchParams(ctx.querystring);
    const column = SORT_COLUMNS[params.get('sort') ?? 'createdAt'] ?? 'created_at';
    const desc = params.get('order') === 'desc';
    const [strict, loose, direction] = desc ? ['<', '<=', 'DESC'] : ['>', '>=', 'ASC'];
    const category = params.get('category');
    const value = column === 'name' ? params.get('value') : Number(params.get('value'));
    // The repository forces the category's sort index too (see KnexProductRepository).
    const table = category ? `products FORCE INDEX (${CATEGORY_INDEXES[column]})` : 'products';
    const sql =
      `SELECT ${COLUMNS} FROM ${table} WHERE deleted = 0${category ? ' AND category = ?' : ''}` +
      ` AND ${column} ${loose} ? AND (${column} ${strict} ? OR id ${strict} ?)` +
      ` ORDER BY ${column} ${direction}, id ${direction} LIMIT ?`;
    const bindings = [...(category ? [category] : []), value, value, Number(params.get('id')), Number(params.get('limit')) + 1];
    const [rows] = await pool.query(sql, bindings);
    ctx.body = { data: rows };
  });
  app.listen(Number(PORT), '127.0.0.1');
});
