import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';
import type { GoMessage } from './crash-protocol';

const REPO = join(__dirname, '..', '..');
const TEMP_PREFIX = '.fennflow-tmp-';
const BACKUP_PREFIX = 'fennflow/tmp/';

export interface CompiledWorker {
  /** The compiled library entry the worker loads. */
  readonly libEntry: string;
  readonly workerFile: string;
}

/**
 * Makes the worker runnable with plain node: the compiled library is `dist/` when it is at
 * least as new as every source in `lib/` (`npm test` builds it first), otherwise a private build
 * under `buildDir` (never touching `dist/`); the worker and its protocol module are transpiled
 * next to it. `buildDir` must lie inside the repository, so the drivers resolve from
 * `node_modules`.
 */
export async function compileWorker(buildDir: string): Promise<CompiledWorker> {
  let libEntry = join(REPO, 'dist', 'index.js');
  if (!(await distIsFresh())) {
    const outDir = join(buildDir, 'lib');
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    // Type errors elsewhere in lib/ still emit JavaScript; the entry point is what matters.
    await promisify(execFile)(
      process.execPath,
      [
        tsc,
        '-p',
        join(REPO, 'tsconfig.build.json'),
        '--outDir',
        outDir,
        '--declaration',
        'false',
        '--sourceMap',
        'false',
      ],
      { cwd: REPO },
    ).catch(() => undefined);
    libEntry = join(outDir, 'index.js');
    await stat(libEntry).catch((error: unknown) => {
      throw new Error(`Building lib/ for the crash worker failed`, {
        cause: error,
      });
    });
  }
  const workerDir = join(buildDir, 'worker');
  await mkdir(workerDir, { recursive: true });
  for (const name of ['crash-worker', 'crash-protocol']) {
    const source = await readFile(join(__dirname, `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
      fileName: `${name}.ts`,
    });
    await writeFile(join(workerDir, `${name}.js`), outputText);
  }
  return { libEntry, workerFile: join(workerDir, 'crash-worker.js') };
}

async function distIsFresh(): Promise<boolean> {
  const sources = await filesUnder(join(REPO, 'lib'));
  for (const source of sources) {
    if (!source.endsWith('.ts') || source.endsWith('.d.ts')) continue;
    const rel = relative(join(REPO, 'lib'), source).replace(/\.ts$/, '.js');
    const built = await stat(join(REPO, 'dist', rel)).catch(() => null);
    if (!built || built.mtimeMs < (await stat(source)).mtimeMs) return false;
  }
  return true;
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, {
    withFileTypes: true,
    recursive: true,
  });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** One worker process: its stdout lines, its stderr, and how it ended. */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private stderr = '';
  private lineWaiter: (() => void) | null = null;
  private readonly exit: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>;

  constructor(workerFile: string, env: Readonly<Record<string, string>>) {
    this.child = spawn(process.execPath, [workerFile], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
      this.lineWaiter?.();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
    });
    this.child.stdin?.on('error', () => undefined);
    this.exit = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        resolve({ code, signal });
        this.lineWaiter?.();
      }),
    );
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Waits until the worker printed `line`; fails if it exits first. */
  async waitFor(line: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.lines.includes(line)) {
      if (this.exited) throw this.failure(`exited before '${line}'`);
      if (Date.now() > deadline)
        throw this.failure(`printed no '${line}' in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.lineWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.lineWaiter = null;
    }
  }

  go(message: GoMessage): void {
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** SIGKILL; fails if the worker had already stopped by itself (an error in the workload). */
  async kill(): Promise<void> {
    if (this.exited) throw this.failure('stopped before it was killed');
    this.child.kill('SIGKILL');
    const { signal } = await this.exit;
    if (signal !== 'SIGKILL') throw this.failure('was not ended by SIGKILL');
  }

  /** Ends a worker that is no longer needed (the one started ahead for a next round). */
  async dispose(): Promise<void> {
    if (!this.exited) this.child.kill('SIGKILL');
    await this.exit;
  }

  private failure(what: string): Error {
    return new Error(
      `Crash worker ${this.child.pid} ${what} (exit ${this.child.exitCode}, signal ${this.child.signalCode}).\n${this.stderr}`,
    );
  }
}

/** What the filesystem root holds for one namespace, sorted by kind. */
export interface StorageTree {
  /** Final keys and their bytes. */
  readonly objects: Map<string, Buffer>;
  /** Keys under `fennflow/tmp/`. */
  readonly backups: string[];
  /** `.fennflow-tmp-*` files of interrupted writes, relative to the namespace folder. */
  readonly tempFiles: string[];
}

export async function readStorageTree(folder: string): Promise<StorageTree> {
  const tree: StorageTree = { objects: new Map(), backups: [], tempFiles: [] };
  const files = await filesUnder(folder).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  });
  for (const file of files) {
    const key = relative(folder, file).split(sep).join('/');
    const name = key.slice(key.lastIndexOf('/') + 1);
    if (name.startsWith(TEMP_PREFIX)) tree.tempFiles.push(key);
    else if (key.startsWith(BACKUP_PREFIX)) tree.backups.push(key);
    else tree.objects.set(key, await readFile(file));
  }
  return tree;
}

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));
