import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileSystemConnector } from 'fennflow-nestjs';

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'dist/cli/main.js');
const INDEX = join(ROOT, 'dist/index.js');
const FILES = 5;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cwd: string, command: string, args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    // stdin is not a terminal, so `script` leaves its pseudo-terminal unsized (0 columns).
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const shellQuote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

function reconcileArgs(database: string): string[] {
  return [
    MAIN,
    'reconcile',
    '--backend',
    `sqlite:./${database}`,
    '--connector',
    'filesystem:./data',
    '-n',
    'docs',
    '--batch-size',
    '2',
    '--json',
  ];
}

/** One draw of the bar: counts, rate, elapsed time and the namespace's changes so far. */
const DRAW =
  /reconcile docs (\d+) objects {2}\d[\d,]*\/s {2}0:\d\d {2}docs: \+(\d+) ~0 -0/;

describe('fennflow CLI progress (built binary, filesystem + SQLite)', () => {
  let dir: string;

  beforeAll(async () => {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
    } catch (error) {
      throw new Error(
        'This test runs the CLI under a pseudo-terminal with `script` from util-linux, which is not installed.',
        { cause: error },
      );
    }
    if (!existsSync(MAIN) || !existsSync(INDEX)) {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
        stdio: 'inherit',
      });
    }
    dir = mkdtempSync(join(tmpdir(), 'fennflow-cli-progress-'));
    const connector = new FileSystemConnector(join(dir, 'data'));
    for (let i = 1; i <= FILES; i++) {
      await connector.putObject('docs', `f${i}.txt`, Buffer.from(`${i}`), {
        mediaType: 'text/plain',
        metadata: {},
      });
    }
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('redraws a bar with counts and rate on a terminal', async () => {
    // stdout goes to a file, so all the pseudo-terminal shows is stderr.
    const command = `${[process.execPath, ...reconcileArgs('tty.db')]
      .map(shellQuote)
      .join(' ')} > report.json`;
    const tty = await run(dir, 'script', ['-qfec', command, '/dev/null']);
    expect(tty.code).toBe(0);

    const draws = tty.stdout.split('\r\x1b[2K').slice(1);
    expect(tty.stdout.startsWith('\r\x1b[2K')).toBe(true);
    expect(draws.length).toBeGreaterThanOrEqual(2);
    for (const draw of draws) expect(draw).toMatch(DRAW);
    const last = DRAW.exec(draws[draws.length - 1] ?? '');
    expect(last?.slice(1)).toEqual([`${FILES}`, `${FILES}`]);
    expect(tty.stdout.endsWith('\n')).toBe(true); // the bar's line is ended once, at the end
    expect(tty.stdout.trimEnd().split('\n')).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.namespaces[0]).toMatchObject({ inserted: FILES });
  });

  it('writes plain log lines when stderr is not a terminal', async () => {
    const plain = await run(dir, process.execPath, reconcileArgs('plain.db'));
    expect(plain.code).toBe(0);
    expect(plain.stderr).not.toContain('\r');
    expect(plain.stderr).not.toContain('\x1b');
    const lines = plain.stderr.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines)
      expect(line).toMatch(new RegExp(`^${DRAW.source}$`));
    expect(DRAW.exec(lines[lines.length - 1] ?? '')?.slice(1)).toEqual([
      `${FILES}`,
      `${FILES}`,
    ]);
    expect(JSON.parse(plain.stdout).namespaces[0]).toMatchObject({
      inserted: FILES,
    });
  });
});
