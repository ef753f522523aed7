/**
 * Search plans before and after the middling-word plan, on farmlokal_bench (1M products, read only):
 * per request time and rows MariaDB reads (Handler_read% deltas on one connection), items per page.
 * "before" = middlingTermLimit at the rare limit (every word that is not rare walks the sort index
 * on the scan budget). Run: npx tsx bench/middling-search-compare.ts [named|corpus|all]
 */
import knexFactory from 'knex';
import { adversarialCorpus, type AdversarialQuery } from './adversarial-corpus.js';
import { normaliseListing } from '../src/adapters/http/product-listing.js';
import { KnexProductRepository } from '../src/adapters/persistence/knex-product-repository.js';
import type { KeysetPosition, ProductQuery, SortField } from '../src/domain/product-query.js';
import { Price } from '../src/domain/price.js';

const connection = { host: '127.0.0.1', user: 'root', database: 'farmlokal_bench' };
const single = knexFactory({ client: 'mysql2', connection, pool: { min: 1, max: 1 } });
const OLD = { middlingTermLimit: 1_000 };
const plans = { before: new KnexProductRepository(single, Date.now, OLD), after: new KnexProductRepository(single, Date.now) };
const SORT_COLUMNS: Record<SortField, string> = { createdAt: 'created_at', price: 'price_paise', name: 'name' };

async function rowsRead() {
  const [rows] = (await single.raw('SHOW SESSION STATUS LIKE ?', ['Handler_read%'])) as [{ Variable_name: string; Value: string }[]];
  return rows.reduce((sum, r) => sum + Number(r.Value), 0);
}
async function cost(repo: KnexProductRepository, query: ProductQuery) {
  const base = (await rowsRead()) - (await rowsRead());
  const r0 = await rowsRead();
  const t0 = performance.now();
  const page = await repo.list(query);
  const ms = performance.now() - t0;
  return { ms, rows: (await rowsRead()) - r0 + base, items: page.items.length, next: page.next };
}
const total = Number((await single('products').count({ n: '*' }).first())!.n);
const middle = Object.fromEntries(
  await Promise.all(
    Object.entries(SORT_COLUMNS).map(async ([sort, column]) => {
      const row = await single<Record<string, string | number>>('products')
        .select(column)
        .orderBy(column)
        .offset(Math.floor(total / 2))
        .first();
      if (!row) throw new Error('the catalogue is empty');
      return [sort, sort === 'name' ? String(row[column]) : Number(row[column])];
    }),
  ),
) as Record<SortField, string | number>;
function toQuery(q: AdversarialQuery): ProductQuery {
  const { query } = normaliseListing({
    limit: q.limit,
    sort: q.sort,
    order: q.order,
    q: q.q,
    category: q.categories?.join(','),
    minPrice: q.minPrice === undefined ? undefined : Price.parse(q.minPrice),
    maxPrice: q.maxPrice === undefined ? undefined : Price.parse(q.maxPrice),
  });
  const after: KeysetPosition | undefined = q.deep ? { value: middle[q.sort], id: q.order === 'asc' ? 0 : 2 ** 31 } : undefined;
  return { ...query, after };
}
const mode = process.argv[2] ?? 'all';
if (mode === 'all' || mode === 'named') {
  const named: AdversarialQuery[] = [
    { label: 'atta', q: 'atta', limit: 20, sort: 'createdAt', order: 'desc' },
    { label: 'dal', q: 'dal', limit: 20, sort: 'createdAt', order: 'desc' },
    { label: 'atta price', q: 'atta', limit: 20, sort: 'price', order: 'asc' },
    { label: 'atta name', q: 'atta', limit: 20, sort: 'name', order: 'asc' },
    { label: 'dal price', q: 'dal', limit: 20, sort: 'price', order: 'asc' },
    { label: 'mango milk', q: 'mango milk', limit: 20, sort: 'createdAt', order: 'desc' },
    { label: '1.5', q: '1.5', limit: 20, sort: 'createdAt', order: 'desc' },
  ];
  for (const q of named) {
    for (const [name, repo] of Object.entries(plans)) {
      const query = toQuery(q);
      await repo.list(query); // counts cached
      // Pages until 100 items or 10 pages: items per page, worst ms / rows.
      let after: KeysetPosition | undefined;
      const items: number[] = [];
      let ms = 0,
        rows = 0,
        maxMs = 0,
        maxRows = 0;
      for (let p = 0; p < (q.label.includes(' ') && q.q!.length < 5 ? 200 : 10); p += 1) {
        if (items.at(-1)! > 0 && items.length >= 10) break;
        const c = await cost(repo, { ...query, after });
        items.push(c.items);
        ms += c.ms;
        rows += c.rows;
        maxMs = Math.max(maxMs, c.ms);
        maxRows = Math.max(maxRows, c.rows);
        if (!c.next) break;
        after = c.next;
      }
      console.log(
        `${q.label.padEnd(11)} ${name.padEnd(6)} pages ${items.length} first item on page ${items.findIndex((n) => n > 0) + 1} items/page ${items.slice(0, 12).join(',')} | mean ${(ms / items.length).toFixed(1)} ms max ${maxMs.toFixed(1)} ms | rows mean ${(rows / items.length).toFixed(0)} max ${maxRows}`,
      );
    }
  }
}
if (mode === 'all' || mode === 'corpus') {
  const corpus = await adversarialCorpus(single);
  const res: Record<string, { ms: number[]; rows: number[]; label: string[] }> = {
    before: { ms: [], rows: [], label: [] },
    after: { ms: [], rows: [], label: [] },
  };
  for (const pass of [0, 1])
    for (const q of corpus) {
      for (const [name, repo] of Object.entries(plans)) {
        const c = await cost(repo, toQuery(q));
        if (pass === 1) {
          res[name].ms.push(c.ms);
          res[name].rows.push(c.rows);
          res[name].label.push(`${q.label} ${q.q} ${q.sort}`);
        }
      }
    }
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const a = res.after,
    b = res.before;
  const order = a.ms
    .map((_, i) => i)
    .sort((x, y) => a.ms[y] - a.ms[x])
    .slice(0, 25);
  for (const i of order)
    console.log(
      `${a.label[i].padEnd(70)} after ${a.ms[i].toFixed(1)} ms ${a.rows[i]} rows | before ${b.ms[i].toFixed(1)} ms ${b.rows[i]} rows`,
    );
  for (const [name, r] of Object.entries(res)) {
    const worst = r.ms.indexOf(Math.max(...r.ms));
    console.log(
      `corpus ${name}: n=${r.ms.length} p50 ${pct(r.ms, 0.5).toFixed(1)} p95 ${pct(r.ms, 0.95).toFixed(1)} p99 ${pct(r.ms, 0.99).toFixed(1)} max ${Math.max(...r.ms).toFixed(1)} ms (${r.label[worst]}) | rows p99 ${pct(r.rows, 0.99)} max ${Math.max(...r.rows)}`,
    );
  }
}
await single.destroy();
