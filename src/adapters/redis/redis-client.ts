import type { createClient } from 'redis';

/** The node-redis client type as this project creates it (see the infrastructure's redis factory). */
export type RedisClient = ReturnType<typeof createClient>;
