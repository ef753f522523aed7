import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from 'redis';

const run = promisify(execFile);
const SCRIPTS = fileURLToPath(new URL('../../tools/scale-out/', import.meta.url));

/**
 * The scale-out environments of tools/scale-out/*.sh as private processes of one suite: free ports,
 * a scratch directory of its own, stopped by the PIDs in their pid files. Start one per suite file
 * (a `before` hook) and reuse it across its cases: each costs 2-8 s to start.
 */
abstract class ScaleOutEnvironment {
  protected constructor(
    protected readonly dir: string,
    private readonly downScript: string,
  ) {}

  protected static async up(script: string, dir: string, env: Record<string, string>): Promise<void> {
    try {
      await run('bash', [join(SCRIPTS, script)], { env: { ...process.env, SCALEOUT_DIR: dir, ...env }, timeout: 60_000 });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      await run('bash', [join(SCRIPTS, script.replace('-up.sh', '-down.sh'))], { env: { ...process.env, SCALEOUT_DIR: dir } }).catch(
        () => undefined,
      );
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`tools/scale-out/${script} failed: ${(stderr || stdout || String(error)).trim()}`, { cause: error });
    }
  }

  protected static scratch(): string {
    const dir = mkdtempSync(join(tmpdir(), 'farmlokal-scaleout-'));
    // mariadbd runs as another user (RUN_AS) when the tests run as root: it must reach its directory.
    chmodSync(dir, 0o755);
    return dir;
  }

  /** SIGKILLs the process whose pid file is `relativePidFile`, as a crash would; resolves once it is gone. */
  protected async killByPidFile(relativePidFile: string): Promise<void> {
    const pid = Number(readFileSync(join(this.dir, relativePidFile), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && isAlive(pid); i += 1) await delay(50);
  }

  async stop(): Promise<void> {
    await run('bash', [join(SCRIPTS, this.downScript)], { env: { ...process.env, SCALEOUT_DIR: this.dir }, timeout: 60_000 });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A MariaDB primary and a GTID replica of it (read_only, 4 parallel applier threads). */
export class MariaDbReplication extends ScaleOutEnvironment {
  private constructor(
    dir: string,
    readonly primaryPort: number,
    readonly replicaPort: number,
  ) {
    super(dir, 'mariadb-replica-down.sh');
  }

  static async start(): Promise<MariaDbReplication> {
    requireBinaries(['mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-admin'], 'mariadb-server');
    const [primaryPort, replicaPort] = await freePorts(2);
    const dir = ScaleOutEnvironment.scratch();
    await ScaleOutEnvironment.up('mariadb-replica-up.sh', dir, { PRIMARY_PORT: String(primaryPort), REPLICA_PORT: String(replicaPort) });
    return new MariaDbReplication(dir, primaryPort, replicaPort);
  }

  /** root on the primary (no password); add a database name for a DATABASE_URL. */
  get primaryServerUrl(): string {
    return `mysql://root@127.0.0.1:${this.primaryPort}`;
  }

  /** `reader` on the replica: SELECT and SLAVE MONITOR only, as an operator would configure it. */
  get replicaServerUrl(): string {
    return `mysql://reader@127.0.0.1:${this.replicaPort}`;
  }

  /** root on the replica, for the test's own control statements (STOP REPLICA SQL_THREAD). */
  get replicaAdminUrl(): string {
    return `mysql://root@127.0.0.1:${this.replicaPort}`;
  }
}

/** A 6-node Redis Cluster: 3 primaries, each with one replica; a replica is promoted ~2 s after its primary dies. */
export class RedisClusterEnvironment extends ScaleOutEnvironment {
  private constructor(
    dir: string,
    readonly ports: readonly number[],
  ) {
    super(dir, 'redis-cluster-down.sh');
  }

  static async start(): Promise<RedisClusterEnvironment> {
    requireBinaries(['redis-server', 'redis-cli'], 'redis-server');
    const busOffset = 50;
    const first = await freePortBlock(6, busOffset);
    const dir = ScaleOutEnvironment.scratch();
    await ScaleOutEnvironment.up('redis-cluster-up.sh', dir, { FIRST_PORT: String(first), BUS_OFFSET: String(busOffset) });
    return new RedisClusterEnvironment(
      dir,
      [0, 1, 2, 3, 4, 5].map((i) => first + i),
    );
  }

  /** REDIS_CLUSTER_URLS for this cluster (every node as a seed). */
  get seedUrls(): string {
    return this.ports.map((port) => `redis://127.0.0.1:${port}`).join(',');
  }

  /** Kills the node on `port` (SIGKILL). */
  killNode(port: number): Promise<void> {
    return this.killByPidFile(join('redis-cluster', String(port), 'redis.pid'));
  }

  /** A hash tag (`<base>-<n>`) whose slot the node on `port` serves now, to put keys on a node a test will kill. */
  async hashTagServedBy(port: number, base: string): Promise<string> {
    const node = createClient({ url: `redis://127.0.0.1:${port}` });
    await node.connect();
    try {
      const myself = (await node.sendCommand<string>(['CLUSTER', 'NODES'])).split('\n').find((line) => line.includes('myself'));
      // <id> <address> <flags> <primary> <ping> <pong> <epoch> <state> <slot or range>...
      const ranges = (myself?.split(' ').slice(8) ?? [])
        .filter((range) => /^\d+(-\d+)?$/.test(range))
        .map((range) => range.split('-').map(Number));
      for (let n = 0; n < 1_000; n += 1) {
        const slot = await node.sendCommand<number>(['CLUSTER', 'KEYSLOT', `${base}-${n}`]);
        if (ranges.some(([from, to = from]) => slot >= from && slot <= to)) return `${base}-${n}`;
      }
      throw new Error(`node ${port} serves no slot (CLUSTER NODES: ${myself})`);
    } finally {
      node.destroy();
    }
  }

  /** Freezes the node on `port` (SIGSTOP): its connections stay open and nothing is answered, as a hung host. */
  pauseNode(port: number): void {
    process.kill(Number(readFileSync(join(this.dir, 'redis-cluster', String(port), 'redis.pid'), 'utf8').trim()), 'SIGSTOP');
  }
}

/** A Redis primary and replica watched by three Sentinels (quorum 2, down after 2 s). */
export class RedisSentinelEnvironment extends ScaleOutEnvironment {
  readonly masterName = 'farmlokal';

  private constructor(
    dir: string,
    readonly primaryPort: number,
    readonly sentinelPorts: readonly number[],
  ) {
    super(dir, 'redis-sentinel-down.sh');
  }

  static async start(): Promise<RedisSentinelEnvironment> {
    requireBinaries(['redis-server', 'redis-cli'], 'redis-server');
    const primary = await freePortBlock(2, 0);
    const sentinel = await freePortBlock(3, 0);
    const dir = ScaleOutEnvironment.scratch();
    await ScaleOutEnvironment.up('redis-sentinel-up.sh', dir, { PRIMARY_PORT: String(primary), SENTINEL_PORT: String(sentinel) });
    return new RedisSentinelEnvironment(dir, primary, [sentinel, sentinel + 1, sentinel + 2]);
  }

  /** REDIS_SENTINELS for this deployment. */
  get sentinels(): string {
    return this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /** Kills the data node on `port` (SIGKILL): the initial primary is `primaryPort`, its replica the next port. */
  killNode(port: number): Promise<void> {
    return this.killByPidFile(join('sentinel', String(port), 'redis.pid'));
  }
}

function requireBinaries(binaries: string[], debianPackage: string) {
  const path = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin']);
  for (const binary of binaries) {
    const found = path.some((dir) => {
      try {
        accessSync(join(dir, binary), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    if (!found) throw new Error(`${binary} is not installed (apt-get install ${debianPackage}); the scale-out suites need it`);
  }
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` distinct free ports: all are held open until each is known, then released. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))));
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** The first of `count` consecutive free ports (and, with busOffset, the ports busOffset above them). */
async function freePortBlock(count: number, busOffset: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const first = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if (busOffset > 0) ports.push(...ports.map((port) => port + busOffset));
    const free = await Promise.all(ports.map(canListen));
    if (free.every(Boolean)) return first;
  }
  throw new Error(`no block of ${count} free ports found`);
}
