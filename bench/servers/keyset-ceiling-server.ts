import Koa from 'koa';
import mysql from 'mysql2/promise';
import { inCluster } from './cluster.js';
import { keysetSelect } from './keyset-select.js';

// Ceiling for uncached listings: a bare Koa route and a mysql2 pool running the keyset SELECT the
// repository emits for /keyset?sort=&order=&category=&limit=&value=&id=, rows sent as JSON. Koa,
// like the other ceiling and the service, so the ratio shows what the service adds to it.
const { PORT, WORKERS, DATABASE_URL, POOL_SIZE } = process.env as Record<string, string>;

await inCluster(Number(WORKERS), async () => {
  const pool = mysql.createPool({ uri: DATABASE_URL, connectionLimit: Number(POOL_SIZE), supportBigNumbers: true });
  const app = new Koa();
  app.use(async (ctx) => {
    const params = new URLSearchParams(ctx.querystring);
    const sort = params.get('sort') ?? 'createdAt';
    const value = sort === 'name' ? params.get('value')! : Number(params.get('value'));
    const { sql, bindings } = keysetSelect({
      sort,
      desc: params.get('order') === 'desc',
      category: params.get('category') ?? undefined,
      after: { value, id: Number(params.get('id')) },
      limit: Number(params.get('limit')),
    });
    const [rows] = await pool.query(sql, bindings);
    ctx.body = { data: rows };
  });
  app.listen(Number(PORT), '127.0.0.1');
});
