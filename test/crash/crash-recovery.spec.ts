/**
 * Crash test (SPEC §6, issue 4): a worker process runs units of work (create, put over existing
 * files, delete, move, copy, multi-file calls, commits, rollbacks, close without commit) on a
 * few overlapping paths with the filesystem connector, and is killed with SIGKILL after a
 * random 20–300 ms of work. After each kill the sessions it left are recovered, then:
 *
 * - the files it reported committed are readable through a fresh unit of work with their last
 *   committed bytes; a commit whose report line is missing may have happened or not, but
 *   atomically: the state is exactly the one before it or exactly the one after it;
 * - nothing uncommitted is visible, in metadata or in storage: the root holds exactly the
 *   committed keys, no `fennflow/tmp/` backup, no locked or pending row;
 * - `.fennflow-tmp-*` files of writes cut short may remain: they are garbage, never under a
 *   final key name and never visible.
 *
 * The database and the storage root carry over from kill to kill. `FENNFLOW_CRASH_KILLS` sets
 * the number of kills per backend (default 100, or 10 with `FENNFLOW_QUICK=1`).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FennFlowBackend,
  FileSystemConnector,
  PostgresBackend,
  recordKeyOf,
  RecoveryResult,
  SqliteBackend,
  UnitOfWorkFactory,
} from '../../lib';
import * as lib from '../../lib';
import {
  dropSchemas,
  randomSchemaName,
  TEST_DATABASE_URL,
} from '../integration/backends/support/postgres-test-schema';
import {
  compileWorker,
  CompiledWorker,
  readStorageTree,
  sleep,
  WorkerProcess,
} from './crash-harness';
import {
  bytesOf,
  CrashUnitOfWork,
  crashUnitOfWork,
  Model,
  NAMESPACES,
  replayLog,
  silentLogger,
  splitKey,
  UNIVERSE,
} from './crash-protocol';

const KILLS = Number(
  process.env.FENNFLOW_CRASH_KILLS ??
    (process.env.FENNFLOW_QUICK === '1' ? 10 : 100),
);
const LEASE_MS = 300;
const MIN_WORK_MS = 20;
const MAX_WORK_MS = 300;
const REPO = join(__dirname, '..', '..');

interface BackendUnderTest {
  readonly kind: 'sqlite' | 'postgres';
  /** Environment of the worker that points it at the same database. */
  readonly workerEnv: Record<string, string>;
  readonly open: () => Promise<FennFlowBackend>;
  readonly cleanup: () => Promise<void>;
}

/** What one backend's run saw, printed at the end. */
interface CrashStats {
  kills: number;
  commits: number;
  ambiguousKept: number;
  ambiguousUndone: number;
  backupsBeforeRecovery: number;
  recovered: Record<RecoveryResult, number>;
  tempFilesLeft: number;
}

let buildDir: string;
let worker: CompiledWorker;

beforeAll(async () => {
  buildDir = join(
    REPO,
    '.tmp',
    `crash-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  worker = await compileWorker(buildDir);
}, 120_000);

afterAll(async () => {
  await rm(buildDir, { recursive: true, force: true });
});

const sqlite = (dir: string): BackendUnderTest => {
  const filename = join(dir, 'metadata.sqlite');
  return {
    kind: 'sqlite',
    workerEnv: { CRASH_BACKEND: 'sqlite', CRASH_SQLITE_FILE: filename },
    open: async () => {
      const backend = new SqliteBackend({ filename, scope: 'crash' });
      await backend.open();
      return backend;
    },
    cleanup: async () => undefined,
  };
};

const postgres = (_dir: string): BackendUnderTest => {
  const schema = randomSchemaName('crash');
  return {
    kind: 'postgres',
    workerEnv: {
      CRASH_BACKEND: 'postgres',
      CRASH_PG_URL: TEST_DATABASE_URL,
      CRASH_PG_SCHEMA: schema,
    },
    open: async () => {
      const backend = new PostgresBackend({
        connectionString: TEST_DATABASE_URL,
        schema,
        scope: 'crash',
      });
      await backend.open();
      return backend;
    },
    cleanup: () => dropSchemas([schema]),
  };
};

describe.each([
  ['sqlite', sqlite],
  ['postgres', postgres],
] as const)('crash recovery on %s', (_name, makeBackend) => {
  it(
    `keeps every committed file and leaves nothing uncommitted across ${KILLS} SIGKILLs`,
    async () => {
      const dir = join(buildDir, `run-${_name}`);
      const root = join(dir, 'storage');
      const subject = makeBackend(dir);
      const backend = await subject.open();
      const connector = new FileSystemConnector(root);
      for (const ns of NAMESPACES) await connector.ensureNamespace(ns);
      const factory = new UnitOfWorkFactory({
        backend,
        connector,
        unitOfWork: crashUnitOfWork(lib),
        logger: silentLogger,
        leaseMs: LEASE_MS,
      });
      const stats: CrashStats = {
        kills: 0,
        commits: 0,
        ambiguousKept: 0,
        ambiguousUndone: 0,
        backupsBeforeRecovery: 0,
        recovered: {
          'not-expired': 0,
          'rolled-back': 0,
          committed: 0,
          'compensation-failed': 0,
        },
        tempFilesLeft: 0,
      };
      const started = Date.now();
      const spawnWorker = (round: number) =>
        new WorkerProcess(worker.workerFile, {
          ...subject.workerEnv,
          CRASH_LIB: worker.libEntry,
          CRASH_ROOT: root,
          CRASH_LOG: join(dir, `round-${round}.log`),
          CRASH_LEASE_MS: String(LEASE_MS),
        });

      let model: Model = {};
      // The next worker starts while the previous round is checked, so its start-up is free.
      let next: WorkerProcess | null = spawnWorker(0);
      try {
        for (let round = 0; round < KILLS; round++) {
          const current: WorkerProcess = next as WorkerProcess;
          const seed = randomBytes(4).readUInt32LE();
          await current.waitFor('ready');
          current.go({ model, seed, tagPrefix: `r${round}` });
          await current.waitFor('started');
          await sleep(
            MIN_WORK_MS + Math.random() * (MAX_WORK_MS - MIN_WORK_MS),
          );
          await current.kill();
          next = round + 1 < KILLS ? spawnWorker(round + 1) : null;
          stats.kills++;

          const log = await readFile(
            join(dir, `round-${round}.log`),
            'utf8',
          ).catch(() => '');
          const outcome = replayLog(model, log);
          stats.commits += outcome.commits;
          for (const ns of NAMESPACES) {
            const tree = await readStorageTree(join(root, ns));
            if (tree.backups.length > 0) stats.backupsBeforeRecovery++;
          }

          for (const result of await recoverAll(factory, backend)) {
            stats.recovered[result]++;
          }
          const context = `round ${round} (seed ${seed}, ${_name})`;
          const matched = await checkState(
            factory,
            backend,
            root,
            outcome.candidates,
            context,
          );
          if (outcome.ambiguous) {
            if (matched === outcome.candidates[1]) stats.ambiguousKept++;
            else stats.ambiguousUndone++;
          }
          model = matched;
        }
      } finally {
        await next?.dispose();
        for (const ns of NAMESPACES) {
          stats.tempFilesLeft += (
            await readStorageTree(join(root, ns))
          ).tempFiles.length;
        }
        await backend.close();
        await subject.cleanup();
      }
      console.log(
        `crash recovery on ${_name}: ${JSON.stringify(stats)} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      expect(stats.kills).toBe(KILLS);
      expect(stats.recovered['compensation-failed']).toBe(0);
    },
    60_000 + KILLS * 3_000,
  );
});

/** Recovers until no session is left; the killed worker's lease runs out within LEASE_MS. */
async function recoverAll(
  factory: UnitOfWorkFactory<CrashUnitOfWork>,
  backend: FennFlowBackend,
): Promise<RecoveryResult[]> {
  const results: RecoveryResult[] = [];
  const deadline = Date.now() + 20 * LEASE_MS;
  for (;;) {
    const settled = await factory.recoverExpired();
    const failed = settled.filter((r) => r === 'compensation-failed');
    if (failed.length > 0) {
      throw new Error(`Recovery left ${failed.length} session(s) unsettled.`);
    }
    results.push(...settled);
    const left = await backend.findExpiredSessions(
      new Date(Date.now() + 3_600_000),
      10,
    );
    if (left.length === 0) return results;
    if (Date.now() > deadline) {
      throw new Error(
        `Sessions still there after recovery: ${JSON.stringify(left)}`,
      );
    }
    await sleep(LEASE_MS / 6);
  }
}

/**
 * Checks the recovered state against the candidates (last committed state, then the one of a
 * commit in flight) and returns the one it is. Storage must hold exactly that state too.
 */
async function checkState(
  factory: UnitOfWorkFactory<CrashUnitOfWork>,
  backend: FennFlowBackend,
  root: string,
  candidates: readonly Model[],
  context: string,
): Promise<Model> {
  // Seen through a fresh unit of work.
  const visible = new Map<string, Buffer>();
  const uow = await factory.begin();
  try {
    for (const ns of NAMESPACES) {
      const paths: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { paths: string[]; cursor: string | null } = await uow[
          ns
        ].list({ limit: 4, cursor });
        paths.push(...page.paths);
        cursor = page.cursor;
      } while (cursor !== null);
      if (paths.length === 0) continue;
      const response = await uow[ns].get(...paths);
      expect(response.paths).toEqual(paths);
      for (const item of response) {
        visible.set(`${ns}/${item.path}`, await item.content.bytes());
      }
    }
  } finally {
    await uow.close();
  }

  // In storage, bypassing the metadata.
  const stored = new Map<string, Buffer>();
  const leftovers: string[] = [];
  for (const ns of NAMESPACES) {
    const tree = await readStorageTree(join(root, ns));
    for (const [key, bytes] of tree.objects) stored.set(`${ns}/${key}`, bytes);
    leftovers.push(...tree.backups.map((key) => `${ns}/${key}`));
    const listed = await factory.connector.listObjects(ns, {
      prefix: 'fennflow/tmp/',
    });
    leftovers.push(...listed.objects.map((o) => `${ns}/${o.key} (listed)`));
    const all = await factory.connector.listObjects(ns, { limit: 1000 });
    for (const object of all.objects) {
      if (object.key.split('/').some((s) => s.startsWith('.fennflow-tmp-'))) {
        leftovers.push(`${ns}/${object.key} (temp file listed)`);
      }
    }
  }
  if (leftovers.length > 0) {
    throw new Error(
      `${context}: backups left in storage after recovery: ${leftovers.join(', ')}`,
    );
  }

  // The rows: nothing locked or pending, `uploaded` exactly for the visible files.
  const rows = await backend.getRecords(UNIVERSE.map(splitKey));
  const uploaded = new Set<string>();
  for (const row of rows.values()) {
    const key = `${row.namespace}/${row.path}`;
    if (
      row.lockedBy !== null ||
      !['uploaded', 'deleted', 'failed'].includes(row.status)
    ) {
      throw new Error(
        `${context}: row ${key} is ${row.status}, locked by ${row.lockedBy} after recovery`,
      );
    }
    if (row.status === 'uploaded') uploaded.add(key);
  }

  const differences = candidates.map((candidate) =>
    differencesFrom(candidate, visible, stored, uploaded),
  );
  const index = differences.findIndex((d) => d.length === 0);
  if (index >= 0) return candidates[index];
  throw new Error(
    `${context}: the recovered state is none of the expected ones.\n` +
      differences
        .map(
          (d, i) =>
            `  vs ${i === 0 ? 'last committed state' : 'state of the commit in flight'}:\n    ${d.join('\n    ')}`,
        )
        .join('\n') +
      `\n  candidates: ${JSON.stringify(candidates)}` +
      `\n  rows: ${JSON.stringify([...rows.values()].map((r) => [recordKeyOf(r), r.status, r.sessionId]))}`,
  );
}

function differencesFrom(
  model: Model,
  visible: ReadonlyMap<string, Buffer>,
  stored: ReadonlyMap<string, Buffer>,
  uploaded: ReadonlySet<string>,
): string[] {
  const found: string[] = [];
  const describe = (bytes: Buffer | undefined) =>
    bytes
      ? `${bytes.length} bytes '${bytes.subarray(0, 16).toString()}…'`
      : 'nothing';
  for (const key of UNIVERSE) {
    const version = model[key];
    const expected = version ? bytesOf(version) : undefined;
    const want = version
      ? `${version.size} bytes of '${version.tag}'`
      : 'nothing';
    const seen = visible.get(key);
    if (
      (expected === undefined) !== (seen === undefined) ||
      (expected && seen && !expected.equals(seen))
    ) {
      found.push(`${key}: visible ${describe(seen)}, expected ${want}`);
    }
    const inStorage = stored.get(key);
    if (
      (expected === undefined) !== (inStorage === undefined) ||
      (expected && inStorage && !expected.equals(inStorage))
    ) {
      found.push(
        `${key}: storage holds ${describe(inStorage)}, expected ${want}`,
      );
    }
    if (uploaded.has(key) !== (version !== undefined)) {
      found.push(
        `${key}: row ${uploaded.has(key) ? 'uploaded' : 'not uploaded'}, expected ${want}`,
      );
    }
  }
  for (const key of stored.keys()) {
    if (!UNIVERSE.includes(key))
      found.push(`${key}: unexpected object in storage`);
  }
  return found;
}
