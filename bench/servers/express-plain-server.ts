import express from 'express';
import mysql from 'mysql2/promise';
import { inCluster } from './cluster.js';
import { keysetSelect } from './keyset-select.js';

// Reference for uncached listings: GET /api/products as a plain Express + mysql2 implementation
// would write it (the "plain implementation"): light parsing, an unsigned base64 JSON
// cursor, the keyset SELECT the keyset ceiling runs, rows mapped to the public product shape.
// No validation problems, no caching, no signatures, no ETag, no middleware.
const { PORT, WORKERS, DATABASE_URL, POOL_SIZE } = process.env as Record<string, string>;

interface Row {
  id: number;
  sku: string;
  name: string;
  description: string;
  category: string;
  price_paise: number;
  currency: string;
  stock: number;
  created_at: number;
  updated_at: number;
  [column: string]: unknown;
}

await inCluster(Number(WORKERS), async () => {
  const pool = mysql.createPool({ uri: DATABASE_URL, connectionLimit: Number(POOL_SIZE), supportBigNumbers: true });
  const app = express();
  app.get('/api/products', async (req, res) => {
    const query = req.query as Record<string, string | undefined>;
    const limit = Math.min(100, Math.max(1, Number(query.limit ?? 20)));
    const sort = query.sort ?? 'createdAt';
    const after = query.cursor
      ? (JSON.parse(Buffer.from(query.cursor, 'base64url').toString()) as { v: number | string; id: number })
      : undefined;
    const { sql, bindings, column } = keysetSelect({
      sort,
      desc: (query.order ?? (query.sort ? 'asc' : 'desc')) === 'desc',
      category: query.category,
      after: after && { value: after.v, id: after.id },
      limit,
    });
    const [rows] = await pool.query(sql, bindings);
    const page = (rows as Row[]).slice(0, limit);
    const last = page.at(-1);
    const hasMore = (rows as Row[]).length > limit;
    res.json({
      data: page.map((r) => ({
        id: r.id,
        sku: r.sku,
        name: r.name,
        description: r.description,
        category: r.category,
        price: (Number(r.price_paise) / 100).toFixed(2),
        currency: r.currency,
        stock: r.stock,
        createdAt: new Date(Number(r.created_at)).toISOString(),
        updatedAt: new Date(Number(r.updated_at)).toISOString(),
      })),
      page: {
        limit,
        nextCursor: hasMore && last ? Buffer.from(JSON.stringify({ v: last[column], id: last.id })).toString('base64url') : null,
        hasMore,
      },
    });
  });
  app.listen(Number(PORT), '127.0.0.1');
});
