import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';

/**
 * The embedded default keeps caches, locks and deduplication in process memory, which is only
 * correct while one process uses the SQLite file. A pid file next to it makes a second one refuse
 * to start. Returns the release function.
 */
export function acquireEmbeddedInstanceLock(sqliteFile: string): () => void {
  if (sqliteFile === ':memory:') return () => undefined;
  const lockFile = `${sqliteFile}.pid`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8'));
      if (isAlive(holder)) {
        throw new Error(
          `another process (pid ${holder}) is serving ${sqliteFile}; the embedded default runs a single instance ` +
            'because its caches and locks live in process memory. Set DATABASE_URL and REDIS_URL to run several.',
          { cause: error },
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`could not take the instance lock ${lockFile}`);
}

function isAlive(pid: number) {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
