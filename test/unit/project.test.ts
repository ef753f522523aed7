import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);

async function outputOf(command: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(command, args, { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? 1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

describe('The project', function () {
  this.timeout(180_000);

  it('type-checks, when the whole tree is compiled strictly, without errors', async () => {
    const { code, output } = await outputOf('node_modules/.bin/tsc', [ '--noEmit', '-p', 'tsconfig.json']);
    expect(output.trim(), output).to.equal('');
    expect(code).to.equal(0);
  });

  it('keeps the layer rule, when dependency-cruiser walks src, with no violations', async () => {
    const { code, output } = await outputOf('node_modules/.bin/depcruise', [ 'src', '--config', '.dependency-cruiser.cjs']);
    expect(code, output).to.equal(0);
    expect(output).to.match(/no dependency violations found/);
  });
});
