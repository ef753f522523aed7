import { EventEmitter } from 'node:events';
import type { SetOptions } from 'redis';
import type { RedisClient, SingleRedisClient } from './redis-client.js';

export interface RedisAddress {
  readonly host: string;
  readonly port: number;
}

export interface RedisLocator {
  /**
   * Where the server to use is now, given the one in use (`current`, host:port): the Sentinels'
   * current primary, or for a cluster's subscriber a live node (the current one while it lives).
   */
  locate(current: string | undefined): Promise<RedisAddress | undefined>;
  /** Closes what locating needs (connections to the Sentinels). */
  close(): void;
}

export interface FollowingSettings {
  /** What it follows: a Sentinel deployment's primary, or any live node of a cluster (a subscriber). */
  readonly topology: 'cluster' | 'sentinel';
  /** One locator per client (a duplicate gets its own). */
  readonly locator: () => RedisLocator;
  /** A node-redis client for one address (not connected), with the service's connection options. */
  readonly connectTo: (address: RedisAddress) => SingleRedisClient;
  /** How often `locate` is asked again. */
  readonly followMs: number;
}

/**
 * RedisClient on one server at a time, chosen by `locate` and moved when `locate` names another:
 * on Sentinel, the current primary (asked every `followMs`); for a cluster's subscriber, any live
 * node. While it moves, commands fail at once (a disconnected client has no offline queue) instead
 * of waiting for the new server, so callers degrade as they do when Redis is down; the events
 * ('error', 'end', 'reconnecting', then 'ready') are those of the connection in use, and
 * subscriptions are carried to the new server before its 'ready' is told.
 *
 * Written by hand rather than with node-redis createSentinel, whose commands wait (7.8 s measured)
 * for the new primary during a failover and which has no duplicate() for a subscriber.
 */
export class FollowingRedisClient extends EventEmitter implements RedisClient {
  private current: SingleRedisClient | undefined;
  private address: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private following = false;
  private readonly subscriptions = new Map<string, (message: string) => void>();
  private readonly locator: RedisLocator;
  readonly topology: 'cluster' | 'sentinel';

  constructor(private readonly settings: FollowingSettings) {
    super();
    this.locator = settings.locator();
    this.topology = settings.topology;
    // 'error' is re-emitted from the connection in use; without a listener it would throw.
    this.on('error', () => undefined);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get isReady(): boolean {
    return !this.closed && this.current?.isReady === true;
  }

  get options(): { database?: number } | undefined {
    return this.current?.options;
  }

  /** Resolves once the first located server answers, or when the first attempt fails (it keeps following). */
  async connect(): Promise<unknown> {
    this.closed = false;
    this.timer ??= setInterval(() => void this.follow(), this.settings.followMs);
    this.timer.unref();
    await this.follow();
    return this;
  }

  destroy(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    const current = this.current;
    this.current = undefined;
    this.address = undefined;
    this.locator.close();
    if (current?.isOpen) current.destroy();
    this.emit('end');
  }

  ping(): Promise<string> {
    return this.use((client) => client.ping());
  }

  get(key: string): Promise<string | null> {
    return this.use((client) => client.get(key));
  }

  set(key: string, value: string, options?: SetOptions): Promise<string | null> {
    return this.use((client) => client.set(key, value, options));
  }

  mGet(keys: string[]): Promise<(string | null)[]> {
    return this.use((client) => client.mGet(keys));
  }

  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    return this.use((client) => client.eval(script, options));
  }

  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    return this.use((client) => client.evalSha(sha, options));
  }

  publish(channel: string, message: string): Promise<number> {
    return this.use((client) => client.publish(channel, message));
  }

  sendCommand(args: string[]): Promise<unknown> {
    return this.use((client) => client.sendCommand(args));
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<unknown> {
    this.subscriptions.set(channel, listener);
    return this.use((client) => client.subscribe(channel, listener));
  }

  duplicate(): RedisClient {
    return new FollowingRedisClient(this.settings);
  }

  withCommandOptions(): unknown {
    // rate-limiter-flexible reads isReady and calls eval; the connection in use changes, this does not.
    return this;
  }

  /** Runs `command` on the connection in use; rejects (never throws) while there is none, as node-redis does. */
  private use<T>(command: (client: SingleRedisClient) => Promise<T>): Promise<T> {
    const current = this.current;
    if (!current?.isReady) return Promise.reject(new Error('redis: no connection to the current server (failover in progress?)'));
    return command(current);
  }

  private async follow() {
    if (this.following || this.closed) return;
    this.following = true;
    try {
      const located = await this.locator.locate(this.address).catch(() => undefined);
      const address = located && `${located.host}:${located.port}`;
      const stillGood = this.current !== undefined && address === this.address && this.current.isOpen;
      if (located && !stillGood && !this.closed) await this.moveTo(located, address!);
    } finally {
      this.following = false;
    }
  }

  private async moveTo(located: RedisAddress, address: string) {
    const previous = this.current;
    const next = this.settings.connectTo(located);
    this.current = next;
    this.address = address;
    if (previous) {
      // Its listeners stay (they ignore a connection no longer in use) and see its 'end'.
      if (previous.isOpen) previous.destroy();
      this.emit('reconnecting');
    }
    let primed = false;
    // Events of a connection no longer in use are ignored.
    const mine = (listener: (error?: Error) => void) => (error?: Error) => {
      if (this.current === next) listener(error);
    };
    next.on(
      'error',
      mine((error) => this.emit('error', error)),
    );
    next.on(
      'end',
      mine(() => this.emit('end')),
    );
    next.on(
      'reconnecting',
      mine(() => this.emit('reconnecting')),
    );
    // Its first 'ready' is told only once the subscriptions are in place (below); node-redis
    // resubscribes by itself before every later one.
    next.on(
      'ready',
      mine(() => primed && this.emit('ready')),
    );
    try {
      await next.connect();
      for (const [channel, listener] of this.subscriptions) await next.subscribe(channel, listener);
      primed = true;
      if (this.current === next && next.isReady) this.emit('ready');
    } catch {
      // The next follow() retries (the same address only once this connection gave up).
    }
  }
}
