import Koa from 'koa';
import { createClient } from 'redis';
import { inCluster } from './cluster.js';

// Ceiling for cached pages: a bare Koa app answering every request with one body read from Redis
// (the GET of a stored page), no middleware, on the same number of worker processes.
const { PORT, WORKERS, REDIS_URL, BODY_KEY } = process.env as Record<string, string>;

await inCluster(Number(WORKERS), async () => {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  const app = new Koa();
  app.use(async (ctx) => {
    ctx.type = 'application/json';
    ctx.body = await redis.get(BODY_KEY);
  });
  app.listen(Number(PORT), '127.0.0.1');
});
