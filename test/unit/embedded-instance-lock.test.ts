import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { acquireEmbeddedInstanceLock } from '../../src/infrastructure/embedded-instance-lock.js';

describe('acquireEmbeddedInstanceLock', () => {
  let directory: string;
  let file: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'farmlokal-lock-'));
    file = join(directory, 'db.sqlite');
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('acquireEmbeddedInstanceLock, when a live process holds the file, refuses with a clear message', () => {
    writeFileSync(`${file}.pid`, String(process.ppid));
    expect(() => acquireEmbeddedInstanceLock(file)).to.throw(/single instance.*DATABASE_URL and REDIS_URL/);
  });

  it('acquireEmbeddedInstanceLock, when the holder has died, takes the lock over', () => {
    writeFileSync(`${file}.pid`, '999999999');
    const release = acquireEmbeddedInstanceLock(file);
    expect(existsSync(`${file}.pid`)).to.equal(true);
    release();
    expect(existsSync(`${file}.pid`)).to.equal(false);
  });

  it('acquireEmbeddedInstanceLock, when released, lets the next instance start', () => {
    acquireEmbeddedInstanceLock(file)();
    expect(() => acquireEmbeddedInstanceLock(file)()).to.not.throw();
  });
});
