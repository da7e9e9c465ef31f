import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileSystemConnector } from 'fennflow-nestjs';

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'dist/cli/main.js');
const INDEX = join(ROOT, 'dist/index.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function fennflow(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { cwd },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe('fennflow CLI (built binary, filesystem + SQLite)', () => {
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(MAIN) || !existsSync(INDEX)) {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
        stdio: 'inherit',
      });
    }
    dir = mkdtempSync(join(tmpdir(), 'fennflow-cli-'));
    const connector = new FileSystemConnector(join(dir, 'data'));
    const put = (key: string, body: string) =>
      connector.putObject('docs', key, Buffer.from(body), {
        mediaType: 'text/plain',
        metadata: {},
      });
    await put('a.txt', 'hello');
    await put('b/c.json', '{}');
    await put('fennflow/tmp/session_id_gone/operation_id_1/a.txt', 'old');
    writeFileSync(
      join(dir, 'fennflow.config.js'),
      `const { SqliteBackendConfig, FileSystemConnectorConfig } = require(${JSON.stringify(INDEX)});
module.exports = {
  backend: new SqliteBackendConfig({ filename: './meta.db' }),
  connector: new FileSystemConnectorConfig({ root: './data' }),
  namespaces: ['docs'],
};
`,
    );
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reconcile --json imports the files and never the backups', async () => {
    const run = await fennflow(dir, 'reconcile', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      strategy: 'fill-if-empty',
      skipped: null,
      namespaces: [
        {
          namespace: 'docs',
          scanned: 3,
          inserted: 2,
          skippedInvalid: 1,
        },
      ],
    });
    // Not a TTY: plain progress lines on stderr.
    expect(run.stderr).toMatch(/reconcile docs .*objects/);
    expect(run.stderr).not.toContain('\r');
  });

  it('ls lists the visible files, as text and JSON', async () => {
    const text = await fennflow(dir, 'ls');
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').map((l) => l.split('\t')[0])).toEqual([
      'docs/a.txt',
      'docs/b/c.json',
      '',
    ]);
    const json = await fennflow(dir, 'ls', 'docs', '--prefix', 'b/', '--json');
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        path: 'b/c.json',
        size: 2,
        mediaType: 'application/json',
      }),
    ]);
  });

  it('stat shows a visible file and exits 1 for a missing one', async () => {
    const found = await fennflow(dir, 'stat', 'docs', 'a.txt', '--json');
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout)).toEqual([
      {
        path: 'a.txt',
        file: expect.objectContaining({
          size: 5,
          mediaType: 'text/plain',
          status: 'uploaded',
        }),
      },
    ]);
    const missing = await fennflow(dir, 'stat', 'docs', 'a.txt', 'nope.txt');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('docs/nope.txt: not found');
  });

  it('gc --dry-run --json lists the finished backup and removes nothing; gc removes it', async () => {
    const dry = await fennflow(
      dir,
      'gc',
      '--dry-run',
      '--json',
      '--orphans',
      '--grace',
      '0',
    );
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout);
    expect(report.dryRun).toBe(true);
    expect(report.removed).toEqual([
      expect.objectContaining({
        key: 'fennflow/tmp/session_id_gone/operation_id_1/a.txt',
        reason: 'session-finished',
      }),
    ]);
    expect(
      existsSync(
        join(
          dir,
          'data/docs/fennflow/tmp/session_id_gone/operation_id_1/a.txt',
        ),
      ),
    ).toBe(true);

    const real = await fennflow(dir, 'gc', '--json');
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout).removed).toHaveLength(1);
    expect(
      existsSync(
        join(
          dir,
          'data/docs/fennflow/tmp/session_id_gone/operation_id_1/a.txt',
        ),
      ),
    ).toBe(false);
    expect(existsSync(join(dir, 'data/docs/a.txt'))).toBe(true);
  });

  it('recover reports that nothing expired', async () => {
    const run = await fennflow(dir, 'recover', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ sessions: [] });
  });

  it('works from flags alone', async () => {
    const run = await fennflow(
      dir,
      'ls',
      'docs',
      '--backend',
      'sqlite:./meta.db',
      '--connector',
      'filesystem:./data',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(2);
  });

  it.each([
    [
      ['ls', '--config', 'missing.js'],
      /^fennflow: Config file missing\.js not found\.\n$/,
    ],
    [
      ['ls', '--config', 'bad.js'],
      /^fennflow: .*bad\.js: 'backend' must be a backend config, e\.g\. new SqliteBackendConfig/,
    ],
    [
      ['reconcile', '--strategy', 'merge'],
      /^fennflow: Unknown reconcile strategy "merge"/,
    ],
    [['gc', '--grace', 'soon'], /^fennflow: --grace expects a duration/],
    [['ls', '--orphans'], /^fennflow: fennflow ls does not take --orphans/],
    [['frobnicate'], /^fennflow: Unknown command 'frobnicate'/],
  ])('%j exits 2 with a one-line message', async (args, message) => {
    writeFileSync(
      join(dir, 'bad.js'),
      'module.exports = { backend: {}, namespaces: ["docs"] };\n',
    );
    const run = await fennflow(dir, ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('--help documents the exit codes', async () => {
    const run = await fennflow(dir, '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Exit codes:\n\s+0 .*\n\s+1 .*\n\s+2 /);
  });
});
