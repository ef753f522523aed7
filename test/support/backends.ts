/**
 * The stores a suite can need; `memory` and `sqlite` run in this process, `mysql` and `redis` are
 * servers, `scale-out` the private replicas, Cluster and Sentinel of tools/scale-out (started per suite).
 */
export type Backend = 'memory' | 'sqlite' | 'mysql' | 'redis' | 'scale-out';

const ALL: readonly Backend[] = ['memory', 'sqlite', 'mysql', 'redis', 'scale-out'];

/**
 * The backends this run may use, from TEST_BACKENDS (comma-separated, like knex's test selector):
 * `TEST_BACKENDS=memory,sqlite` runs without MariaDB or Redis. Unset: all of them.
 */
export const TEST_BACKENDS: ReadonlySet<Backend> = parseBackends(process.env.TEST_BACKENDS);

function parseBackends(value: string | undefined): ReadonlySet<Backend> {
  if (value === undefined || value.trim() === '') return new Set(ALL);
  const names = value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((name) => !(ALL as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`TEST_BACKENDS: unknown backend(s) ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
  return new Set(names as Backend[]);
}

export function backendsSelected(needed: readonly Backend[]): boolean {
  return needed.every((backend) => TEST_BACKENDS.has(backend));
}

/** describe() when every backend the suite needs is selected, else the suite is listed as pending. */
export function describeWith(needed: readonly Backend[], title: string, define: (this: Mocha.Suite) => void): void {
  if (backendsSelected(needed)) describe(title, define);
  else describe.skip(`${title} (needs ${needed.join(', ')}; not in TEST_BACKENDS)`, define);
}

/**
 * `define` (a function registering suites, such as a contract suite for one adapter) when every
 * backend in `needed` is selected, else a function registering nothing:
 * `onlyWith(['redis'], describeXContract)('Redis', makeSubject)`.
 */
export function onlyWith<A extends unknown[]>(needed: readonly Backend[], define: (...args: A) => void): (...args: A) => void {
  return backendsSelected(needed) ? define : () => undefined;
}
