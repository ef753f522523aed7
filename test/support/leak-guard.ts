import { createHook } from 'node:async_hooks';

/** How long the process may stay alive after the last test before its live handles count as leaked. */
const GRACE_MS = 10_000;
/** Dead entries are swept out of the record after this many new timers. */
const SWEEP_EVERY = 20_000;

interface TimerLike {
  readonly _destroyed?: boolean;
  readonly _idleTimeout?: number;
  readonly _repeat?: number | null;
  readonly _onTimeout?: unknown;
  hasRef?(): boolean;
}

interface Created {
  readonly timer: WeakRef<TimerLike>;
  /** Where it was created; V8 formats the stack only when it is read. */
  readonly where: Error;
  /** The test (or the hook after it) that was running. */
  readonly during: string;
}

/**
 * Mocha runs without `exit: true`, so a timer, socket or server a test forgets keeps the process
 * alive and a CI run would hang until its time limit. After the run this fails it instead: when the
 * process is still alive GRACE_MS after the last test, the live handles are listed and the process
 * exits with status 1.
 *
 * A leaked timer is rare and seldom repeats on demand, so every timer's creation is recorded from
 * the start (a weak reference, the test then running, and a stack V8 formats only if it is read):
 * the report of the run that leaked says which test made each live timer, and where.
 */
export function guardAgainstLeakedHandles(): { beforeEach(this: Mocha.Context): void; afterAll(): void } {
  const created = new Map<number, Created>();
  let during = '(before the first test)';
  let sinceSweep = 0;
  const sweep = () => {
    for (const [id, { timer }] of created) if (!isLive(timer.deref())) created.delete(id);
    sinceSweep = 0;
  };
  createHook({
    init(asyncId, type, _trigger, resource) {
      if (type !== 'Timeout') return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 24; // Node's own timer frames come first.
      created.set(asyncId, { timer: new WeakRef(resource), where: new Error('created here'), during });
      Error.stackTraceLimit = limit;
      if (++sinceSweep >= SWEEP_EVERY) sweep();
    },
  }).enable();

  return {
    beforeEach(this: Mocha.Context) {
      during = this.currentTest?.fullTitle() ?? during;
    },
    afterAll() {
      during = '(after the last test)';
      setTimeout(() => {
        const resources = process.getActiveResourcesInfo().filter((type) => type !== 'TTYWrap');
        sweep();
        const timers = [...created.values()].filter(({ timer }) => timer.deref()?.hasRef?.() === true).map(describe);
        const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().map(describeHandle).filter(Boolean);
        console.error(
          `\nThe test run ended, but ${GRACE_MS / 1000} s later the process is still kept alive by: ${resources.join(', ')}.\n` +
            'A test left a timer, socket or server open; close it in an after/afterEach hook.\n' +
            [...timers, ...handles].join('\n\n'),
        );
        // Mocha sets the exit status from its failure count in an 'exit' listener; this one runs after it.
        process.on('exit', () => (process.exitCode = 1));
        process.exit(1);
      }, GRACE_MS).unref();
    },
  };
}

function isLive(timer: TimerLike | undefined): boolean {
  return timer !== undefined && timer._destroyed !== true;
}

function describe({ timer, where, during }: Created): string {
  const live = timer.deref()!;
  const kind = live._repeat ? `interval of ${live._repeat} ms` : `timeout of ${live._idleTimeout} ms`;
  const callback = String(live._onTimeout).replace(/\s+/g, ' ').slice(0, 160);
  const stack = (where.stack ?? '')
    .split('\n')
    .slice(1)
    .filter((line) => !line.includes('node:internal') && !line.includes('leak-guard'))
    .slice(0, 12)
    .join('\n');
  return `Timeout (${kind}), created during "${during}", calling ${callback}\n${stack}`;
}

function describeHandle(handle: unknown): string | undefined {
  const socket = handle as {
    constructor?: { name?: string };
    _isStdio?: boolean;
    remoteAddress?: string;
    remotePort?: number;
    localPort?: number;
    address?(): unknown;
  };
  if (socket._isStdio) return undefined;
  const name = socket.constructor?.name ?? 'handle';
  if (name === 'WriteStream' || name === 'ReadStream') return undefined;
  const address = socket.remoteAddress
    ? `to ${socket.remoteAddress}:${socket.remotePort} from port ${socket.localPort}`
    : JSON.stringify(socket.address?.() ?? null);
  return `${name} ${address}`;
}
