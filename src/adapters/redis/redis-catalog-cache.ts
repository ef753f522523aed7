import { randomUUID } from 'node:crypto';
import type { CatalogTag } from '../../domain/catalog-tags.js';
import type { CacheEntry, CacheLookup, CatalogCache } from '../../domain/ports/catalog-cache.js';
import type { RedisClient } from './redis-client.js';
import { RedisScript } from './redis-script.js';

// The sequence hash holds { epoch, seq, run }. A missing hash (a flush, a restart without
// persistence, an eviction) is recreated under a random epoch the caller proposes, fresh on every
// call: tokens and tag marks of the lost epoch then match nothing, so no entry can come back.
// `run` is the run_id of the server that created the epoch (see SERVER_CHECK).
const RUN_ID = `string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')`;
const current = (candidate: string) => `
local state = redis.call('HMGET', KEYS[1], 'epoch', 'seq')
if not state[1] then
  redis.call('HSET', KEYS[1], 'epoch', ${candidate}, 'seq', 0, 'run', ${RUN_ID})
  state = { ${candidate}, '0' }
end
`;
const CURRENT = current('ARGV[1]');

const NOW_MS = `
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
`;

// A tag key holds "<epoch>:<seq>:<ms>:<previous seq>" of its last invalidation: its sequence, the
// server's time, and the sequence of the one before it (0: none in this epoch). A mark of another
// epoch is older than the current epoch and cannot concern an entry built in it. For an entry built
// at seq: 1 when no tag moved past it; 0 and the time of the earliest invalidation past it when each
// tag that moved past it did so once (its previous mark is not past seq); -1 otherwise (moved
// twice or more, or a mark without a time: when it first moved is not known).
const TAGS_STATE = `
local function tags_state(epoch, seq, first)
  local earliest = nil
  for i = first, #KEYS do
    local mark = redis.call('GET', KEYS[i])
    if mark then
      local e, s, t, p = string.match(mark, '^([^:]*):(%d+):?(%d*):?(%d*)$')
      if e == epoch and tonumber(s) > seq then
        if t == '' or p == '' or tonumber(p) > seq then return -1 end
        if earliest == nil or tonumber(t) < earliest then earliest = tonumber(t) end
      end
    end
  end
  if earliest == nil then return 1 end
  return 0, earliest
end
`;

// KEYS: sequence, entry. ARGV: epoch candidate. The current token and the raw entry.
const LOOKUP = new RedisScript(`${CURRENT}
return { state[1] .. ':' .. state[2], redis.call('GET', KEYS[2]) }
`);

// KEYS: sequence. ARGV: epoch candidate.
const CURRENT_TOKEN = new RedisScript(`${CURRENT}
return state[1] .. ':' .. state[2]
`);

// KEYS: sequence, tag keys. ARGV: the entry's epoch and sequence, epoch candidate, grace ms.
// { 1 while the entry's epoch is current and no tag moved past it; 2 when, in its epoch, tags moved
// past it once each, the earliest less than the grace ago; else 0; current epoch; current seq }.
const VALIDATE = new RedisScript(`${NOW_MS}${TAGS_STATE}${current('ARGV[3]')}
if state[1] ~= ARGV[1] then return { 0, state[1], state[2] } end
local valid, at = tags_state(ARGV[1], tonumber(ARGV[2]), 2)
if valid == 0 and now_ms() - at < tonumber(ARGV[4]) then valid = 2 end
return { math.max(valid, 0), state[1], state[2] }
`);

// KEYS: sequence, entry, rebuild lease, tag keys. ARGV: epoch, sequence, encoded entry, ttl, epoch candidate.
// { 1 when stored as valid, else 0; current epoch; current seq }. Releases the lease either way. An
// entry a tag invalidation overtook replaces one built no later (at a sequence not above its own,
// or of another epoch), as invalidated: it is newer, and offered only within that invalidation's grace.
const STORE = new RedisScript(`${TAGS_STATE}${current('ARGV[5]')}
redis.call('DEL', KEYS[3])
if state[1] ~= ARGV[1] then return { 0, state[1], state[2] } end
local seq = tonumber(ARGV[2])
if tags_state(ARGV[1], seq, 4) == 1 then
  redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
  return { 1, state[1], state[2] }
end
local e, s = string.match(redis.call('GETRANGE', KEYS[2], 0, 80), '^([^:|]*):(%d+)|')
if e ~= ARGV[1] or tonumber(s) <= seq then redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4]) end
return { 0, state[1], state[2] }
`);

// KEYS: sequence, tag keys. ARGV: epoch candidate, tag ttl, channel, tags joined by ','.
const INVALIDATE = new RedisScript(`${NOW_MS}${CURRENT}
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local token = state[1] .. ':' .. seq
local at = string.format('%.0f', now_ms())
for i = 2, #KEYS do
  local e, previous = string.match(redis.call('GET', KEYS[i]) or '', '^([^:]*):(%d+)')
  if e ~= state[1] then previous = '0' end
  redis.call('SET', KEYS[i], token .. ':' .. at .. ':' .. previous, 'PX', ARGV[2])
end
redis.call('PUBLISH', ARGV[3], token .. '|' .. ARGV[4])
return token
`);

// KEYS: sequence. ARGV: new epoch, channel. Entries and tokens of the old epoch are refused from now on.
const INVALIDATE_ALL = new RedisScript(`
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'epoch', ARGV[1])
local token = ARGV[1] .. ':' .. seq
redis.call('PUBLISH', ARGV[2], token .. '|')
return token
`);

// KEYS: sequence. ARGV: new epoch, channel. A server restarted from a snapshot or a promoted replica
// holds an epoch with entries that writes acknowledged after the snapshot (or not yet replicated)
// had invalidated: when the run_id differs from the one that created the epoch, start a new one.
const SERVER_CHECK = new RedisScript(`
local run = ${RUN_ID}
local state = redis.call('HMGET', KEYS[1], 'epoch', 'run')
if not state[1] or state[2] == run then return 0 end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'run', run)
redis.call('PUBLISH', ARGV[2], ARGV[1] .. ':' .. seq .. '|')
return 1
`);

export interface RedisCatalogCacheOptions {
  /**
   * The longest an entry may live: tag marks are kept this long, so they outlive every entry that
   * could depend on them; longer ttls passed to store are cut to it.
   */
  readonly maxEntryTtlMs: number;
  /**
   * The Redis database number the client selected. Pub/sub ignores database numbers, so it is part
   * of the channel name: deployments on two databases of one Redis never hear each other.
   */
  readonly database: number;
  /**
   * How long after an invalidation (by the server's clock) an entry it made unreachable is still
   * offered as CacheLookup.invalidated, when no other invalidation past its build is older; 0: never.
   */
  readonly graceMs: number;
}

export interface Verdict {
  readonly valid: boolean;
  /** Not valid, but invalidated less than the grace ago (see RedisCatalogCacheOptions.graceMs). */
  readonly graced: boolean;
  /** The token current when Redis answered. */
  readonly token: string;
}

/** An entry read from Redis, with the token it was built under. */
export interface TokenedEntry {
  readonly entry: CacheEntry;
  readonly epoch: string;
  readonly sequence: number;
}

/**
 * Entries live under `<prefix>{catalog}:e:<key>` as "<epoch>:<seq>|<freshUntil>|<tags>|<value>".
 * An invalidation increments the sequence and marks each tag key `<prefix>{catalog}:t:<tag>` with
 * it (and its time, and the mark it replaces); an entry built at S is valid while its epoch is
 * current and none of its tags is marked past S, and offered as invalidated for the grace after the
 * first invalidation past S (when the marks show which was first). Every key a script touches is
 * passed in KEYS and all share the hash tag `{catalog}`, so one deployment's keys sit in one Redis
 * Cluster slot. Each invalidation is published, with its token
 * and tags, on a channel named after the prefix and the database number (pub/sub ignores database
 * numbers), for the near tiers of this deployment only (see RedisNearCatalogCache).
 */
export class RedisCatalogCache implements CatalogCache {
  readonly invalidationChannel: string;
  private readonly base: string;
  private readonly sequenceKey: string;
  private readonly maxEntryTtlMs: number;
  private readonly graceMs: string;

  constructor(
    private readonly client: RedisClient,
    prefix: string,
    options: Partial<RedisCatalogCacheOptions> = {},
  ) {
    this.base = `${prefix}{catalog}:`;
    this.sequenceKey = `${this.base}seq`;
    this.maxEntryTtlMs = options.maxEntryTtlMs ?? 3_600_000;
    this.graceMs = String(options.graceMs ?? 0);
    this.invalidationChannel = `${this.base}invalidated:db${options.database ?? 0}`;
  }

  async lookup(key: string): Promise<CacheLookup> {
    const [token, raw] = (await LOOKUP.run(this.client, [this.sequenceKey, this.entryKey(key)], [randomUUID()])) as [string, string | null];
    const found = raw === null ? null : decode(raw);
    if (!found || found.epoch !== tokenEpoch(token)) return { token, entry: null };
    if (found.entry.tags.length === 0) return { token, entry: found.entry };
    const verdict = await this.validate(found);
    return verdict.valid ? { token, entry: found.entry } : refusedLookup(found, verdict, verdict.token);
  }

  /** The entry stored for `key`, read with one plain GET, before any check of its tags. */
  async rawEntry(key: string): Promise<TokenedEntry | null> {
    const raw = await this.client.get(this.entryKey(key));
    return raw === null ? null : decode(raw);
  }

  /** Whether `found` is still valid (its epoch current, no tag invalidated since it was built), or graced, and the current token. */
  async validate(found: TokenedEntry): Promise<Verdict> {
    const keys = [this.sequenceKey, ...found.entry.tags.map((tag) => this.tagKey(tag))];
    const args = [found.epoch, String(found.sequence), randomUUID(), this.graceMs];
    const [verdict, epoch, sequence] = (await VALIDATE.run(this.client, keys, args)) as [number, string, string];
    return { valid: verdict === 1, graced: verdict === 2, token: `${epoch}:${sequence}` };
  }

  async store(key: string, token: string, entry: CacheEntry, ttlMs: number): Promise<boolean> {
    return (await this.storeReporting(key, token, entry, ttlMs)).valid;
  }

  /** store, also telling the token current when it ran (valid: stored). */
  async storeReporting(key: string, token: string, entry: CacheEntry, ttlMs: number): Promise<Verdict> {
    const keys = [this.sequenceKey, this.entryKey(key), this.leaseKey(key), ...entry.tags.map((tag) => this.tagKey(tag))];
    const ttl = String(Math.max(1, Math.min(this.maxEntryTtlMs, Math.round(ttlMs))));
    const encoded = `${token}|${entry.freshUntil}|${entry.tags.join(',')}|${entry.value}`;
    const args = [tokenEpoch(token), String(tokenSequence(token)), encoded, ttl, randomUUID()];
    const [stored, epoch, sequence] = (await STORE.run(this.client, keys, args)) as [number, string, string];
    return { valid: stored === 1, graced: false, token: `${epoch}:${sequence}` };
  }

  async invalidate(tags: readonly CatalogTag[]): Promise<void> {
    await this.invalidateReporting(tags);
  }

  /** invalidate, returning the new token. */
  async invalidateReporting(tags: readonly CatalogTag[]): Promise<string> {
    const keys = [this.sequenceKey, ...tags.map((tag) => this.tagKey(tag))];
    const args = [randomUUID(), String(this.maxEntryTtlMs), this.invalidationChannel, tags.join(',')];
    return String(await INVALIDATE.run(this.client, keys, args));
  }

  async invalidateAll(): Promise<void> {
    await this.invalidateAllReporting();
  }

  /** invalidateAll, returning the new token. */
  async invalidateAllReporting(): Promise<string> {
    return String(await INVALIDATE_ALL.run(this.client, [this.sequenceKey], [randomUUID(), this.invalidationChannel]));
  }

  /**
   * Starts a new epoch when the server is not the one that started the current epoch (a restart
   * from a snapshot, a failover): true when it did. Run it on every (re)connection, before any
   * other command (see watchServer).
   */
  async checkServer(): Promise<boolean> {
    return (await SERVER_CHECK.run(this.client, [this.sequenceKey], [randomUUID(), this.invalidationChannel])) === 1;
  }

  /**
   * Calls checkServer now (when connected) and on every later connection: 'ready' listeners run as
   * the connection opens, before the application can send it anything else, so the check is ahead
   * of any lookup on it. Errors go to `onError`.
   */
  watchServer(onError: (error: unknown) => void): void {
    const check = () => void this.checkServer().catch(onError);
    this.client.on('ready', check);
    if (this.client.isReady) check();
  }

  /** The current token, creating the epoch when there is none. */
  async currentToken(): Promise<string> {
    return String(await CURRENT_TOKEN.run(this.client, [this.sequenceKey], [randomUUID()]));
  }

  async tryLease(key: string, leaseMs: number): Promise<boolean> {
    const reply = await this.client.set(this.leaseKey(key), '1', {
      expiration: { type: 'PX', value: leaseMs },
      condition: 'NX',
    });
    return reply === 'OK';
  }

  private entryKey(key: string) {
    return `${this.base}e:${key}`;
  }

  private leaseKey(key: string) {
    return `${this.base}lease:${key}`;
  }

  private tagKey(tag: CatalogTag) {
    return `${this.base}t:${tag}`;
  }
}

/** The lookup of an entry Redis did not find valid: offered as invalidated when its verdict is graced. */
export function refusedLookup(found: TokenedEntry, verdict: Verdict, token: string): CacheLookup {
  return verdict.graced ? { token, entry: null, invalidated: found.entry } : { token, entry: null };
}

/** The epoch part of a token. */
export function tokenEpoch(token: string): string {
  return token.slice(0, token.lastIndexOf(':'));
}

/** The sequence part of a token. */
export function tokenSequence(token: string): number {
  return Number(token.slice(token.lastIndexOf(':') + 1));
}

function decode(raw: string): TokenedEntry {
  const first = raw.indexOf('|');
  const second = raw.indexOf('|', first + 1);
  const third = raw.indexOf('|', second + 1);
  const token = raw.slice(0, first);
  const tags = raw.slice(second + 1, third);
  return {
    epoch: tokenEpoch(token),
    sequence: tokenSequence(token),
    entry: { freshUntil: Number(raw.slice(first + 1, second)), tags: tags === '' ? [] : tags.split(','), value: raw.slice(third + 1) },
  };
}
