import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FennFlowBackend,
  FennFlowConnector,
  FileSystemConnector,
  GarbageCollector,
  PostgresBackendConfig,
  Reconciler,
  SqliteBackendConfig,
  TextContent,
  UnitOfWorkFactory,
} from 'fennflow-nestjs';
import { silentLogger } from 'fennflow-nestjs';
import { filesystem, s3 } from '../support/connector-fixtures';
import type {
  ConnectorFixture,
  FixtureSource,
} from '../support/connector-fixtures';
import { storedKeys, TestUnitOfWork } from '../support/in-memory-fixture';
import {
  dropSchemas,
  randomSchemaName,
  TEST_DATABASE_URL,
} from './backends/support/postgres-test-schema';

const text = (body: string, filename: string) =>
  TextContent.from(body, { filename });
const schema = randomSchemaName('reconcile');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOUR = 60 * 60 * 1000;

/** What a write killed mid-way leaves, which GC may remove once older than the grace period. */
interface AbandonedUploads {
  /** How many of those planted are older than an hour. */
  readonly stale: number;
  /** How many planted ones are still there. */
  left(): Promise<number>;
}

interface StorageUnderTest {
  readonly source: FixtureSource;
  /** Plants one write abandoned two hours ago and one just now, in namespace `docs`. */
  plantAbandonedUploads(storage: FennFlowConnector): Promise<AbandonedUploads>;
}

const storages: ReadonlyArray<[string, StorageUnderTest]> = [
  [
    'filesystem',
    {
      source: filesystem(),
      plantAbandonedUploads: async (storage) => {
        const folder = join((storage as FileSystemConnector).root, 'docs');
        const old = join(folder, `.fennflow-tmp-${randomUUID()}`);
        const fresh = join(folder, `.fennflow-tmp-${randomUUID()}`);
        await writeFile(old, 'half');
        await writeFile(fresh, 'half');
        const twoHoursAgo = new Date(Date.now() - 2 * HOUR);
        await utimes(old, twoHoursAgo, twoHoursAgo);
        return {
          stale: 1,
          left: async () => [old, fresh].filter((p) => existsSync(p)).length,
        };
      },
    },
  ],
  [
    's3',
    {
      source: s3(),
      // s3rver does not implement ListMultipartUploads, so the connector finds none to abort.
      plantAbandonedUploads: async () => ({ stale: 0, left: async () => 0 }),
    },
  ],
];

const backends: ReadonlyArray<
  [
    string,
    (dir: string, scope: string) => SqliteBackendConfig | PostgresBackendConfig,
  ]
> = [
  [
    'sqlite',
    (dir, scope) =>
      new SqliteBackendConfig({ filename: join(dir, 'meta.db'), scope }),
  ],
  [
    'postgres',
    (_dir, scope) =>
      new PostgresBackendConfig({
        connectionString: TEST_DATABASE_URL,
        schema,
        scope,
      }),
  ],
];

const combinations = storages.flatMap(([storageName, storage]) =>
  backends.map(
    ([backendName, configOf]) =>
      [storageName, backendName, storage, configOf] as const,
  ),
);

afterAll(async () => {
  for (const [, storage] of storages) await storage.source.close();
  await dropSchemas([schema]);
});

describe.each(combinations)(
  'reconcile and gc on %s + %s',
  (_storageName, _backendName, storage, configOf) => {
    let dir: string;
    let fixture: ConnectorFixture;
    let backend: FennFlowBackend;
    let connector: FennFlowConnector;
    let factory: UnitOfWorkFactory<TestUnitOfWork>;

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'fennflow-reconcile-'));
      backend = await configOf(dir, `scope-${randomUUID()}`).create();
      await backend.open();
      fixture = await storage.source.fixture();
      connector = fixture.storage;
      factory = new UnitOfWorkFactory({
        backend,
        connector,
        unitOfWork: TestUnitOfWork,
        logger: silentLogger,
      });
    });

    afterEach(async () => {
      await backend.close();
      await fixture.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    const putRaw = (key: string, namespace = 'docs') =>
      connector.putObject(namespace, key, Buffer.from(key), {
        mediaType: 'application/octet-stream',
        metadata: {},
      });
    const reconciler = () =>
      new Reconciler({
        backend,
        connector,
        namespaces: ['docs', 'media'],
        logger: silentLogger,
      });
    const collector = () =>
      new GarbageCollector({
        backend,
        connector,
        namespaces: ['docs'],
        logger: silentLogger,
      });
    const visible = () =>
      factory.run(async (uow) => (await uow.docs.list()).paths);

    it('fill-if-empty imports every valid key over several batches, never fennflow/tmp/', async () => {
      const keys = ['a.txt', 'b/1.txt', 'b/2.txt', 'b-c.txt', 'z/é.txt'];
      for (const key of keys) await putRaw(key);
      await putRaw('fennflow/tmp/session_id_s/operation_id_o/a.txt');
      const report = await reconciler().reconcile({ batchSize: 2 });
      expect(await visible()).toEqual(
        [...keys].sort((a, b) =>
          Buffer.compare(Buffer.from(a), Buffer.from(b)),
        ),
      );
      expect(report.namespaces[0]).toMatchObject({
        scanned: 6,
        inserted: 5,
        skippedInvalid: 1,
        batches: 3,
      });
      const second = await reconciler().reconcile({ batchSize: 2 });
      expect(second.skipped).toBe('not-empty');
    });

    it('insert-missing adds records for unrecorded objects only; replace then refreshes changed ones', async () => {
      await factory.run((uow) => uow.docs.create(text('v1', 'known.txt')));
      await connector.putObject('docs', 'known.txt', Buffer.from('changed'), {
        mediaType: 'text/plain',
        metadata: {},
      });
      await putRaw('new.txt');
      await putRaw('fennflow/tmp/session_id_s/operation_id_o/new.txt');
      await sleep(5);

      const report = await reconciler().reconcile({
        strategy: 'insert-missing',
      });
      expect(report.namespaces[0]).toMatchObject({
        scanned: 3,
        inserted: 1,
        updated: 0,
        skippedInvalid: 1,
      });
      expect(await visible()).toEqual(['known.txt', 'new.txt']);
      const sizeOfKnown = async () =>
        [
          ...(
            await backend.getRecords([{ namespace: 'docs', path: 'known.txt' }])
          ).values(),
        ][0]?.size;
      expect(await sizeOfKnown()).toBe(2);

      const replaced = await reconciler().reconcile({ strategy: 'replace' });
      expect(replaced.namespaces[0]).toMatchObject({
        inserted: 0,
        updated: 1,
        removed: 0,
        skippedInvalid: 1,
      });
      expect(await sizeOfKnown()).toBe(7);
    });

    it("replace removes vanished rows and never touches another session's pending work", async () => {
      await factory.run((uow) =>
        uow.docs.create(
          text('1', 'keep.txt'),
          text('2', 'gone.txt'),
          text('3', 'locked.txt'),
        ),
      );
      const other = await factory.begin();
      await other.docs.delete('locked.txt');
      await connector.deleteObjects('docs', ['gone.txt', 'locked.txt']);
      await putRaw('new.txt');
      await putRaw('fennflow/tmp/session_id_s/operation_id_o/new.txt');
      await sleep(5);

      const report = await reconciler().reconcile({
        strategy: 'replace',
        batchSize: 2,
      });

      // The pending delete is invisible to the join and locked: untouched, although its object is gone.
      expect(report.namespaces[0]).toMatchObject({
        inserted: 1,
        removed: 1,
        skippedInvalid: 1,
      });
      expect(await visible()).toEqual(['keep.txt', 'new.txt']);
      const rows = await backend.getRecords([
        { namespace: 'docs', path: 'locked.txt' },
      ]);
      expect([...rows.values()][0]).toMatchObject({
        status: 'pending',
        lockedBy: other.id,
      });
      await other.close();
    });

    it('gc keeps a live session backups, removes finished ones and old orphans, never visible files', async () => {
      await factory.run((uow) => uow.docs.create(text('v1', 'a.txt')));
      const live = await factory.begin();
      await live.docs.put(text('v2', 'a.txt'));
      const finished = `fennflow/tmp/session_id_${randomUUID()}/operation_id_x/a.txt`;
      await putRaw(finished);
      await putRaw('orphan.txt');
      await sleep(5);
      const gc = collector();
      const before = await storedKeys(connector, 'docs');

      const dry = await gc.collect({ dryRun: true, orphans: true, graceMs: 0 });
      expect(dry.removed.map((r) => r.key)).toEqual([finished, 'orphan.txt']);
      expect(await storedKeys(connector, 'docs')).toEqual(before);
      const report = await gc.collect({ orphans: true, graceMs: 0 });
      expect(report.removed.map((r) => [r.key, r.reason])).toEqual([
        [finished, 'session-finished'],
        ['orphan.txt', 'orphan'],
      ]);
      expect(report.keptSessions).toEqual([
        { sessionId: live.id, reason: 'live' },
      ]);
      const left = await storedKeys(connector, 'docs');
      expect(left.filter((k) => !k.startsWith('fennflow/tmp/'))).toEqual([
        'a.txt',
      ]);
      expect(
        left.filter((k) => k.startsWith(`fennflow/tmp/session_id_${live.id}/`)),
      ).toHaveLength(1);
      await live.rollback();
      await live.close();
      await factory.run(async (uow) => {
        expect(await (await uow.docs.get('a.txt')).at(0)?.content.text()).toBe(
          'v1',
        );
      });
    });

    it('gc keeps orphans younger than the grace period, by the lastModified of the listing', async () => {
      await factory.run((uow) => uow.docs.create(text('x', 'visible.txt')));
      await putRaw('old-orphan.txt');
      // S3 listings carry whole seconds: wait past one so the two ages differ by 1 s or more.
      await sleep(1100);
      await putRaw('young-orphan.txt');
      const listed = (await connector.listObjects('docs')).objects;
      const youngAt = listed
        .find((o) => o.key === 'young-orphan.txt')
        ?.lastModified.getTime();
      expect(youngAt).toBeDefined();
      const gc = collector();

      expect((await gc.collect({ orphans: true })).removed).toEqual([]); // 24 h by default
      const graceMs = Date.now() - (youngAt ?? 0) + 500;
      const report = await gc.collect({ orphans: true, graceMs });
      expect(report.removed.map((r) => [r.key, r.reason])).toEqual([
        ['old-orphan.txt', 'orphan'],
      ]);
      expect(await storedKeys(connector, 'docs')).toEqual([
        'visible.txt',
        'young-orphan.txt',
      ]);
    });

    it('gc removes abandoned uploads older than the grace period, only counting them in a dry run', async () => {
      const planted = await storage.plantAbandonedUploads(connector);
      const gc = collector();
      const plantedBefore = await planted.left();

      const dry = await gc.collect({ dryRun: true, graceMs: HOUR });
      expect(dry.abandonedUploads).toBe(planted.stale);
      expect(await planted.left()).toBe(plantedBefore);
      const report = await gc.collect({ graceMs: HOUR });
      expect(report.abandonedUploads).toBe(planted.stale);
      expect(report.failures).toEqual([]);
      expect(await planted.left()).toBe(plantedBefore - planted.stale);
    });
  },
);
