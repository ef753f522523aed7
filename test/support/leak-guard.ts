import { createHook } from 'node:async_hooks';

/** How long the process may stay alive after the last test before its live handles count as leaked. */
const GRACE_MS = 10_000;
const TRACED = new Set(['Timeout', 'TCPWRAP', 'TCPSERVERWRAP', 'PIPEWRAP', 'Immediate']);

interface Traced {
  readonly type: string;
  readonly stack: string;
}

/**
 * Mocha runs without `exit: true`, so a timer, socket or server a test forgets keeps the process
 * alive and a CI run would hang until its time limit. After the run this fails it instead: when the
 * process is still alive GRACE_MS after the last test, the live handles are listed (with the stack
 * that created each one when TEST_TRACE_HANDLES=1) and the process exits with status 1.
 */
export function guardAgainstLeakedHandles(): { afterAll(): void } {
  const live = new Map<number, Traced>();
  if (process.env.TEST_TRACE_HANDLES === '1') {
    createHook({
      init(asyncId, type) {
        if (TRACED.has(type)) live.set(asyncId, { type, stack: new Error().stack?.split('\n').slice(2, 12).join('\n') ?? '' });
      },
      destroy(asyncId) {
        live.delete(asyncId);
      },
    }).enable();
  }
  return {
    afterAll() {
      setTimeout(() => {
        const resources = process.getActiveResourcesInfo().filter((type) => type !== 'TTYWrap');
        const traced = [...live.values()]
          .filter(({ stack }) => !stack.includes('leak-guard'))
          .map(({ type, stack }) => `${type}\n${stack}`);
        console.error(
          `\nThe test run ended, but ${GRACE_MS / 1000} s later the process is still kept alive by: ${resources.join(', ')}.\n` +
            'A test left a timer, socket or server open; close it in an after/afterEach hook. ' +
            (traced.length > 0
              ? `Where they were created:\n${traced.join('\n\n')}`
              : 'Rerun with TEST_TRACE_HANDLES=1 to see where they were created.'),
        );
        // Mocha sets the exit status from its failure count in an 'exit' listener; this one runs after it.
        process.on('exit', () => (process.exitCode = 1));
        process.exit(1);
      }, GRACE_MS).unref();
    },
  };
}
