/**
 * Child process of the crash test: runs units of work forever until the parent kills it with
 * SIGKILL. Transpiled to plain JS by the test and run with node; it loads the compiled library
 * from `CRASH_LIB`, so starting it costs no TypeScript compilation.
 *
 * Protocol: prints `ready` once the backend is open, waits for one GoMessage line on stdin,
 * prints `started`, then works. Every commit is logged (and fsynced) to `CRASH_LOG` as an
 * `intent` line before `commit()` is called and a `committed` line after it resolved. Any
 * unexpected error ends the process with code 1 and the error on stderr.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import {
  bytesOf,
  CrashUnitOfWork,
  crashUnitOfWork,
  FennFlowLibrary,
  FileVersion,
  GoMessage,
  LogLine,
  NAMESPACES,
  PATHS,
  randomFrom,
  silentLogger,
  splitKey,
  UNIVERSE,
} from './crash-protocol';
import type { UnitOfWorkFactory } from '../../lib';

/** Thrown inside `factory.run` to make it roll back; anything else is a failure. */
class PlannedFailure extends Error {}

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`crash-worker: ${name} is not set`);
  }
  return value;
}

function readGoMessage(): Promise<GoMessage> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      process.stdin.off('data', onData);
      try {
        resolve(JSON.parse(buffered.slice(0, newline)) as GoMessage);
      } catch (error) {
        reject(error);
      }
    };
    process.stdin.on('data', onData);
    process.stdin.on('end', () => process.exit(3));
  });
}

class Workload {
  private committed: Map<string, FileVersion>;
  private readonly random: () => number;
  private tags = 0;
  private seq = 0;

  constructor(
    private readonly lib: FennFlowLibrary,
    private readonly factory: UnitOfWorkFactory<CrashUnitOfWork>,
    private readonly logFd: number,
    private readonly go: GoMessage,
  ) {
    this.committed = new Map(Object.entries(go.model));
    this.random = randomFrom(go.seed);
  }

  async runForever(): Promise<never> {
    for (;;) {
      if (this.chance(0.25)) await this.viaRun();
      else await this.viaBegin();
    }
  }

  /** begin(), one to three segments each ending in commit, rollback or close(). */
  private async viaBegin(): Promise<void> {
    const uow = await this.factory.begin();
    const segments = 1 + this.int(3);
    for (let segment = 0; segment < segments; segment++) {
      const working = new Map(this.committed);
      await this.operations(uow, working);
      const end = this.random();
      if (end < 0.6) {
        const seq = this.logIntent(working);
        await uow.commit();
        this.logCommitted(seq, working);
      } else if (end < 0.85) {
        await uow.rollback();
      } else {
        break; // close() rolls back what is pending
      }
    }
    await uow.close();
  }

  /** factory.run(): commits when the callback resolves, compensates when it throws. */
  private async viaRun(): Promise<void> {
    const working = new Map(this.committed);
    const fail = this.chance(0.3);
    let seq = -1;
    try {
      await this.factory.run(async (uow) => {
        await this.operations(uow, working);
        if (fail) throw new PlannedFailure('planned');
        seq = this.logIntent(working);
      });
    } catch (error) {
      if (error instanceof PlannedFailure) return;
      throw error;
    }
    this.logCommitted(seq, working);
  }

  private async operations(
    uow: CrashUnitOfWork,
    working: Map<string, FileVersion>,
  ): Promise<void> {
    const count = 1 + this.int(4);
    for (let i = 0; i < count; i++) await this.operation(uow, working);
  }

  private async operation(
    uow: CrashUnitOfWork,
    working: Map<string, FileVersion>,
  ): Promise<void> {
    const namespace = this.pick(NAMESPACES);
    const repository = uow[namespace];
    const key = (path: string) => `${namespace}/${path}`;
    const roll = this.random() * 100;

    if (roll < 20) {
      const absent = PATHS.filter((p) => !working.has(key(p)));
      if (absent.length > 0) {
        const paths = this.some(absent, 3);
        const versions = paths.map(() => this.newVersion());
        await repository.create(
          ...paths.map((p, i) => this.content(p, versions[i])),
        );
        paths.forEach((p, i) => working.set(key(p), versions[i]));
        return;
      }
    }
    if (roll < 24) {
      // Expected failure: create over a visible file fails before any I/O, nothing changes.
      const present = PATHS.filter((p) => working.has(key(p)));
      if (present.length > 0) {
        const paths = this.some(PATHS, 3);
        if (!paths.some((p) => working.has(key(p)))) paths.push(present[0]);
        const error = await repository
          .create(...paths.map((p) => this.content(p, this.newVersion())))
          .then(
            () => null,
            (e: unknown) => e,
          );
        if (!(error instanceof this.lib.RecordAlreadyExistsError)) {
          throw new Error(
            `create(${paths.join(', ')}) over a visible file did not fail with RecordAlreadyExistsError`,
            { cause: error },
          );
        }
        return;
      }
    }
    if (roll < 50) {
      const paths = this.some(PATHS, 3);
      const versions = paths.map(() => this.newVersion());
      await repository.put(
        ...paths.map((p, i) => this.content(p, versions[i])),
      );
      paths.forEach((p, i) => working.set(key(p), versions[i]));
      return;
    }
    if (roll < 64) {
      const paths = this.some(PATHS, 3);
      const results = await repository.delete(...paths);
      paths.forEach((p, i) => {
        if ((results[i] === null) === working.has(key(p))) {
          throw new Error(
            `delete('${key(p)}') returned ${JSON.stringify(results[i])}, but the file ${working.has(key(p)) ? 'is' : 'is not'} visible`,
          );
        }
        working.delete(key(p));
      });
      return;
    }
    if (roll < 88) {
      const sources = [...working.keys()];
      if (sources.length === 0) return;
      const from = this.pick(sources);
      const to = this.pick(UNIVERSE.filter((k) => k !== from));
      const source = splitKey(from);
      const target = splitKey(to);
      const options =
        target.namespace === source.namespace
          ? {}
          : { toNamespace: target.namespace };
      const version = working.get(from) as FileVersion;
      if (roll < 76) {
        await uow[source.namespace].move(source.path, target.path, options);
        working.delete(from);
      } else {
        await uow[source.namespace].copy(source.path, target.path, options);
      }
      working.set(to, version);
      return;
    }
    if (roll < 96) {
      const path = this.pick(PATHS);
      const response = await repository.get(path);
      const expected = working.get(key(path));
      const item = response.at(0);
      const actual = item ? await item.content.bytes() : null;
      if (
        response.length !== (expected ? 1 : 0) ||
        (expected && !actual?.equals(bytesOf(expected)))
      ) {
        throw new Error(
          `get('${key(path)}') inside the unit of work read ${actual ? `${actual.length} bytes '${actual.subarray(0, 24).toString()}'` : 'nothing'}, expected ${expected ? JSON.stringify(expected) : 'nothing'}`,
        );
      }
      return;
    }
    const listed = await repository.list({ limit: 1000 });
    const expected = PATHS.filter((p) => working.has(key(p))).sort();
    if (JSON.stringify([...listed.paths].sort()) !== JSON.stringify(expected)) {
      throw new Error(
        `list('${namespace}') inside the unit of work gave ${JSON.stringify(listed.paths)}, expected ${JSON.stringify(expected)}`,
      );
    }
  }

  private logIntent(working: ReadonlyMap<string, FileVersion>): number {
    const seq = ++this.seq;
    this.log({ t: 'intent', seq, after: Object.fromEntries(working) });
    return seq;
  }

  private logCommitted(
    seq: number,
    working: ReadonlyMap<string, FileVersion>,
  ): void {
    this.log({ t: 'committed', seq });
    this.committed = new Map(working);
  }

  private log(line: LogLine): void {
    writeSync(this.logFd, `${JSON.stringify(line)}\n`);
    fsyncSync(this.logFd);
  }

  private content(path: string, version: FileVersion) {
    return this.lib.BinaryContent.from(bytesOf(version), {
      filename: path,
      mediaType: 'application/octet-stream',
    });
  }

  /** Mostly small files, some tens of KB, a few large ones so kills land inside uploads. */
  private newVersion(): FileVersion {
    const roll = this.random();
    const size =
      roll < 0.6
        ? 1 + this.int(512)
        : roll < 0.93
          ? 4096 + this.int(60_000)
          : 200_000 + this.int(600_000);
    return { tag: `${this.go.tagPrefix}.${++this.tags}`, size };
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** One to `max` distinct items. */
  private some<T>(items: readonly T[], max: number): T[] {
    const pool = [...items];
    const count = 1 + this.int(Math.min(max, pool.length));
    const chosen: T[] = [];
    for (let i = 0; i < count; i++)
      chosen.push(pool.splice(this.int(pool.length), 1)[0]);
    return chosen;
  }
}

async function main(): Promise<void> {
  const lib = (await import(env('CRASH_LIB'))) as FennFlowLibrary;
  const backend =
    env('CRASH_BACKEND') === 'sqlite'
      ? new lib.SqliteBackend({
          filename: env('CRASH_SQLITE_FILE'),
          scope: 'crash',
        })
      : new lib.PostgresBackend({
          connectionString: env('CRASH_PG_URL'),
          schema: env('CRASH_PG_SCHEMA'),
          scope: 'crash',
        });
  await backend.open();
  const factory = new lib.UnitOfWorkFactory({
    backend,
    connector: new lib.FileSystemConnector(env('CRASH_ROOT')),
    unitOfWork: crashUnitOfWork(lib),
    logger: silentLogger,
    leaseMs: Number(env('CRASH_LEASE_MS')),
  });
  process.stdout.write('ready\n');
  const go = await readGoMessage();
  // A worker nobody kills (the parent died) must not run forever.
  setTimeout(() => process.exit(2), 60_000).unref();
  const logFd = openSync(env('CRASH_LOG'), 'a');
  process.stdout.write('started\n');
  try {
    await new Workload(lib, factory, logFd, go as GoMessage).runForever();
  } finally {
    closeSync(logFd);
  }
}

const fail = (error: unknown) => {
  const text =
    error instanceof Error ? (error.stack ?? error.message) : String(error);
  const cause =
    error instanceof Error && error.cause !== undefined
      ? `\ncause: ${String(error.cause instanceof Error ? error.cause.stack : error.cause)}`
      : '';
  process.stderr.write(`crash-worker failed: ${text}${cause}\n`);
  process.exit(1);
};
process.on('unhandledRejection', fail);
main().catch(fail);
