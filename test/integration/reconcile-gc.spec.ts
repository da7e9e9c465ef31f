import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FennFlowBackend,
  FileSystemConnector,
  GarbageCollector,
  PostgresBackendConfig,
  Reconciler,
  SqliteBackendConfig,
  TextContent,
  UnitOfWorkFactory,
} from 'fennflow-nestjs';
import { silentLogger } from '../../lib/core/unit-of-work/fennflow-logger';
import { storedKeys, TestUnitOfWork } from '../support/in-memory-fixture';
import {
  dropSchemas,
  randomSchemaName,
  TEST_DATABASE_URL,
} from './backends/support/postgres-test-schema';

const text = (body: string, filename: string) =>
  TextContent.from(body, { filename });
const schema = randomSchemaName('reconcile');

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

afterAll(() => dropSchemas([schema]));

describe.each(backends)(
  'reconcile and gc on filesystem + %s',
  (_name, configOf) => {
    let dir: string;
    let backend: FennFlowBackend;
    let connector: FileSystemConnector;
    let factory: UnitOfWorkFactory<TestUnitOfWork>;

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'fennflow-reconcile-'));
      backend = await configOf(dir, `scope-${randomUUID()}`).create();
      await backend.open();
      connector = new FileSystemConnector(join(dir, 'data'));
      factory = new UnitOfWorkFactory({
        backend,
        connector,
        unitOfWork: TestUnitOfWork,
        logger: silentLogger,
      });
    });

    afterEach(async () => {
      await backend.close();
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
      await new Promise((r) => setTimeout(r, 5));

      const report = await reconciler().reconcile({
        strategy: 'replace',
        batchSize: 2,
      });

      // The pending delete is invisible to the join and locked: untouched, although its object is gone.
      expect(report.namespaces[0]).toMatchObject({ inserted: 1, removed: 1 });
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
      await new Promise((r) => setTimeout(r, 5));
      const gc = new GarbageCollector({
        backend,
        connector,
        namespaces: ['docs'],
        logger: silentLogger,
      });

      const dry = await gc.collect({ dryRun: true, orphans: true, graceMs: 0 });
      expect(dry.removed.map((r) => r.key)).toEqual([finished, 'orphan.txt']);
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
  },
);
