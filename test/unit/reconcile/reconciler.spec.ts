import {
  ConfigurationError,
  FileRecord,
  ReconcileConfig,
  ReconcileProgress,
  Reconciler,
  ReconcileScheduler,
  ReconcileStrategy,
  RECONCILER_SESSION_ID,
  TextContent,
} from 'fennflow-nestjs';
import { silentLogger } from 'fennflow-nestjs';
import {
  Fixture,
  inMemoryFixture,
  storedKeys,
} from '../../support/in-memory-fixture';

const text = (body: string, filename: string) =>
  TextContent.from(body, { filename });

async function putRaw(
  fixture: Fixture,
  namespace: string,
  key: string,
  body = key,
): Promise<void> {
  await fixture.storage.putObject(namespace, key, Buffer.from(body), {
    mediaType: 'application/octet-stream',
    metadata: {},
  });
}

function reconcilerOf(fixture: Fixture, namespaces = ['docs']): Reconciler {
  return new Reconciler({
    backend: fixture.backend,
    connector: fixture.storage,
    namespaces,
    logger: silentLogger,
  });
}

async function visiblePaths(fixture: Fixture): Promise<string[]> {
  return fixture.factory.run(async (uow) => (await uow.docs.list()).paths);
}

async function rowOf(
  fixture: Fixture,
  path: string,
  namespace = 'docs',
): Promise<FileRecord | undefined> {
  const rows = await fixture.backend.getRecords([{ namespace, path }]);
  return [...rows.values()][0];
}

describe('Reconciler strategies (upstream matrix: two files in storage, optionally one row)', () => {
  const cases: ReadonlyArray<[ReconcileStrategy, boolean, string[]]> = [
    ['fill-if-empty', false, ['a.txt', 'b.txt']],
    ['fill-if-empty', true, ['a.txt']],
    ['insert-missing', false, ['a.txt', 'b.txt']],
    ['insert-missing', true, ['a.txt', 'b.txt']],
    ['replace', false, ['a.txt', 'b.txt']],
    ['replace', true, ['a.txt', 'b.txt']],
  ];

  it.each(cases)(
    '%s, prefilled %s → %j visible with their bytes',
    async (strategy, prefilled, expected) => {
      const fixture = inMemoryFixture();
      if (prefilled) {
        await fixture.factory.run((uow) =>
          uow.docs.create(text('a-bytes', 'a.txt')),
        );
      } else {
        await putRaw(fixture, 'docs', 'a.txt', 'a-bytes');
      }
      await putRaw(fixture, 'docs', 'b.txt', 'b-bytes');

      const report = await reconcilerOf(fixture).reconcile({ strategy });

      expect(await visiblePaths(fixture)).toEqual(expected);
      await fixture.factory.run(async (uow) => {
        const response = await uow.docs.get(...expected);
        const texts = await Promise.all(
          [...response].map((item) => item.content.text()),
        );
        expect(texts).toEqual(expected.map((p) => `${p[0]}-bytes`));
      });
      if (strategy === 'fill-if-empty' && prefilled) {
        expect(report.skipped).toBe('not-empty');
      } else {
        expect(report.skipped).toBeNull();
        expect(report.namespaces[0]).toMatchObject({
          namespace: 'docs',
          scanned: 2,
          inserted: prefilled ? 1 : 2,
          removed: 0,
        });
      }
    },
  );

  it('writes committed, unlocked rows with size, etag and a media type guessed from the name', async () => {
    const fixture = inMemoryFixture();
    await putRaw(fixture, 'docs', 'pics/p.png', 'png');
    await putRaw(fixture, 'docs', 'noext', 'x');
    await reconcilerOf(fixture).reconcile({ strategy: 'insert-missing' });
    const head = await fixture.storage.headObject('docs', 'pics/p.png');
    expect(await rowOf(fixture, 'pics/p.png')).toMatchObject({
      status: 'uploaded',
      lockedBy: null,
      operation: 'put',
      sessionId: RECONCILER_SESSION_ID,
      size: 3,
      etag: head?.etag,
      mediaType: 'image/png',
      metadata: {},
    });
    expect((await rowOf(fixture, 'noext'))?.mediaType).toBe(
      'application/octet-stream',
    );
  });

  it('insert-missing leaves existing rows alone, whatever their status', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) => uow.docs.create(text('old', 'a.txt')));
    await fixture.factory.run((uow) => uow.docs.delete('a.txt'));
    await putRaw(fixture, 'docs', 'a.txt', 'back');
    const report = await reconcilerOf(fixture).reconcile({
      strategy: 'insert-missing',
    });
    expect((await rowOf(fixture, 'a.txt'))?.status).toBe('deleted');
    expect(report.namespaces[0]).toMatchObject({ inserted: 0, unchanged: 1 });
  });
});

describe('Reconciler replace', () => {
  it('marks rows whose object vanished as deleted, and revives deleted rows whose object is back', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) =>
      uow.docs.create(
        text('a', 'a.txt'),
        text('b', 'b.txt'),
        text('c', 'c.txt'),
        text('d', 'd.txt'),
      ),
    );
    await fixture.factory.run((uow) => uow.docs.delete('d.txt'));
    await fixture.storage.deleteObjects('docs', ['a.txt', 'c.txt']);
    await putRaw(fixture, 'docs', 'd.txt', 'd again');
    await putRaw(fixture, 'docs', 'e.txt');

    const report = await reconcilerOf(fixture).reconcile({
      strategy: 'replace',
    });

    expect(await visiblePaths(fixture)).toEqual(['b.txt', 'd.txt', 'e.txt']);
    expect(await rowOf(fixture, 'a.txt')).toMatchObject({
      status: 'deleted',
      lockedBy: null,
      sessionId: RECONCILER_SESSION_ID,
    });
    expect(report.namespaces[0]).toMatchObject({
      scanned: 3,
      inserted: 1,
      updated: 1,
      removed: 2,
      unchanged: 1,
      skippedLocked: 0,
    });
  });

  it('rewrites a committed row whose object changed behind FennFlow', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) => uow.docs.create(text('v1', 'a.txt')));
    await putRaw(fixture, 'docs', 'a.txt', 'version two');
    await new Promise((r) => setTimeout(r, 2));
    await reconcilerOf(fixture).reconcile({ strategy: 'replace' });
    expect(await rowOf(fixture, 'a.txt')).toMatchObject({
      status: 'uploaded',
      size: 11,
      etag: (await fixture.storage.headObject('docs', 'a.txt'))?.etag,
    });
  });

  it("never touches another session's pending rows, whether the object is listed or gone", async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) =>
      uow.docs.create(text('keep', 'put-me.txt'), text('del', 'del-me.txt')),
    );
    const other = await fixture.factory.begin();
    await other.docs.create(text('new', 'new.txt'));
    await other.docs.put(text('changed', 'put-me.txt'));
    await other.docs.delete('del-me.txt');
    const before = await Promise.all(
      ['new.txt', 'put-me.txt', 'del-me.txt'].map((p) => rowOf(fixture, p)),
    );
    // Storage no longer holds `del-me.txt`: replace would remove its row if it were free.
    await fixture.storage.deleteObjects('docs', ['del-me.txt']);

    const report = await reconcilerOf(fixture).reconcile({
      strategy: 'replace',
      batchSize: 2,
    });

    const after = await Promise.all(
      ['new.txt', 'put-me.txt', 'del-me.txt'].map((p) => rowOf(fixture, p)),
    );
    expect(after).toEqual(before);
    expect(report.namespaces[0].skippedLocked).toBe(2);
    await other.rollback();
    await other.close();
    // Its rollback restores the rows as they were; the reconciler had left them to it.
    expect(await visiblePaths(fixture)).toEqual(['del-me.txt', 'put-me.txt']);
    expect((await rowOf(fixture, 'new.txt'))?.status).not.toBe('uploaded');
  });
});

describe('Reconciler keys and paging', () => {
  it.each<ReconcileStrategy>(['fill-if-empty', 'insert-missing', 'replace'])(
    '%s never imports fennflow/tmp/ keys nor keys that are not valid paths',
    async (strategy) => {
      const fixture = inMemoryFixture();
      await putRaw(
        fixture,
        'docs',
        'fennflow/tmp/session_id_x/operation_id_y/a.txt',
      );
      await putRaw(fixture, 'docs', 'fennflow/tmp');
      await putRaw(fixture, 'docs', 'a/../b.txt');
      await putRaw(fixture, 'docs', 'a//b.txt');
      await putRaw(fixture, 'docs', '/lead.txt');
      await putRaw(fixture, 'docs', 'ok.txt');
      const report = await reconcilerOf(fixture).reconcile({ strategy });
      expect(await visiblePaths(fixture)).toEqual(['ok.txt']);
      expect(report.namespaces[0]).toMatchObject({
        scanned: 6,
        inserted: 1,
        skippedInvalid: 5,
      });
      expect(
        await rowOf(fixture, 'fennflow/tmp/session_id_x/operation_id_y/a.txt'),
      ).toBeUndefined();
    },
  );

  it('pages through several batches with batchSize 2, one backend transaction per batch, and reports progress after each', async () => {
    const fixture = inMemoryFixture();
    const keys = Array.from({ length: 7 }, (_, i) => `f${i}.txt`);
    for (const key of keys) await putRaw(fixture, 'docs', key);
    await putRaw(fixture, 'media', 'm.txt');
    let stages = 0;
    const stage = fixture.backend.stage.bind(fixture.backend);
    fixture.backend.stage = (k, decide) => {
      stages++;
      expect(k.length).toBeLessThanOrEqual(2);
      return stage(k, decide);
    };
    const progress: ReconcileProgress[] = [];
    const report = await reconcilerOf(fixture, ['docs', 'media']).reconcile({
      strategy: 'insert-missing',
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(await visiblePaths(fixture)).toEqual(keys);
    expect(stages).toBe(5);
    expect(
      report.namespaces.map((n) => [n.namespace, n.inserted, n.batches]),
    ).toEqual([
      ['docs', 7, 4],
      ['media', 1, 1],
    ]);
    expect(progress.map((p) => [p.namespace, p.scanned])).toEqual([
      ['docs', 2],
      ['docs', 4],
      ['docs', 6],
      ['docs', 7],
      ['media', 1],
    ]);
  });

  it('replace merges many pages of rows and objects with batchSize 2', async () => {
    const fixture = inMemoryFixture();
    const names = Array.from({ length: 9 }, (_, i) => `k${i}.txt`);
    await fixture.factory.run((uow) =>
      uow.docs.create(...names.map((n) => text(n, n))),
    );
    // Remove every third object, add objects in between.
    const gone = names.filter((_, i) => i % 3 === 0);
    await fixture.storage.deleteObjects('docs', gone);
    for (const extra of ['k0a.txt', 'k5a.txt', 'z.txt'])
      await putRaw(fixture, 'docs', extra);
    await new Promise((r) => setTimeout(r, 2));
    const report = await reconcilerOf(fixture).reconcile({
      strategy: 'replace',
      batchSize: 2,
    });
    expect(await visiblePaths(fixture)).toEqual(
      [
        ...names.filter((n) => !gone.includes(n)),
        'k0a.txt',
        'k5a.txt',
        'z.txt',
      ].sort(),
    );
    expect(report.namespaces[0]).toMatchObject({
      scanned: 9,
      inserted: 3,
      removed: 3,
      unchanged: 6,
    });
  });

  it('rejects bad options with a ConfigurationError', async () => {
    const fixture = inMemoryFixture();
    await expect(
      reconcilerOf(fixture).reconcile({
        strategy: 'merge' as ReconcileStrategy,
      }),
    ).rejects.toBeInstanceOf(ConfigurationError);
    await expect(
      reconcilerOf(fixture).reconcile({ batchSize: 0 }),
    ).rejects.toBeInstanceOf(ConfigurationError);
  });
});

describe('ReconcileConfig', () => {
  it('defaults to on-start-app, fill-if-empty, 1000', () => {
    expect({ ...new ReconcileConfig() }).toEqual({
      frequency: 'on-start-app',
      strategy: 'fill-if-empty',
      batchSize: 1000,
    });
  });

  it.each([
    [{ frequency: 'hourly' }, /frequency "hourly".*'on-start-app'/],
    [{ strategy: 'REPLACE' }, /strategy "REPLACE"/],
    [{ batchSize: 0 }, /batchSize must be an integer/],
    [{ batchSize: 1.5 }, /batchSize/],
    [{ batchSize: '10' }, /batchSize/],
  ])('rejects %j', (options, message) => {
    const build = () => new ReconcileConfig(options as never);
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(message);
  });
});

describe('ReconcileScheduler', () => {
  async function setup(
    frequency: 'on-start-app' | 'on-session-start' | 'never',
  ) {
    const fixture = inMemoryFixture();
    await putRaw(fixture, 'docs', 'a.txt');
    const scheduler = new ReconcileScheduler(reconcilerOf(fixture), {
      frequency,
      strategy: 'insert-missing',
    });
    return { fixture, scheduler };
  }

  it('on-start-app runs once', async () => {
    const { fixture, scheduler } = await setup('on-start-app');
    expect(await scheduler.onStart()).not.toBeNull();
    await putRaw(fixture, 'docs', 'b.txt');
    expect(await scheduler.beforeSession()).toBeNull();
    expect(await visiblePaths(fixture)).toEqual(['a.txt']);
  });

  it('on-session-start runs before every session, sharing a run in flight', async () => {
    const { fixture, scheduler } = await setup('on-session-start');
    expect(await scheduler.onStart()).toBeNull();
    const [first, second] = await Promise.all([
      scheduler.beforeSession(),
      scheduler.beforeSession(),
    ]);
    expect(first).toBe(second);
    await putRaw(fixture, 'docs', 'b.txt');
    await scheduler.beforeSession();
    expect(await visiblePaths(fixture)).toEqual(['a.txt', 'b.txt']);
  });

  it('never runs with never', async () => {
    const { fixture, scheduler } = await setup('never');
    expect(await scheduler.onStart()).toBeNull();
    expect(await scheduler.beforeSession()).toBeNull();
    expect(await visiblePaths(fixture)).toEqual([]);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['a.txt']);
  });
});
