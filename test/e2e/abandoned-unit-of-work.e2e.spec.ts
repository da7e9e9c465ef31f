import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const INDEX = join(ROOT, 'dist/index.js');
const SCRIPT = join(__dirname, 'fixtures/abandoned-unit-of-work.cjs');

function runScript(
  nodeOptions: string[],
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...nodeOptions, SCRIPT, INDEX],
      { cwd: ROOT },
      (_error, stdout) =>
        resolve({ code: child.exitCode, stdout: stdout.trim() }),
    );
  });
}

/**
 * A unit of work dropped without close() must not hold its locks for the life of the process:
 * once it is garbage-collected its lease stops being renewed, expires, and the next writer
 * recovers it. (While it is referenced, its lease keeps being renewed: see locks.spec.ts.)
 */
describe('a unit of work abandoned without close()', () => {
  beforeAll(() => {
    if (!existsSync(INDEX)) {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
        stdio: 'inherit',
      });
    }
  });

  it('frees its locks once it is garbage-collected', async () => {
    await expect(runScript(['--expose-gc'])).resolves.toEqual({
      code: 0,
      stdout: 'second',
    });
  });
});
