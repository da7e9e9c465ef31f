import { randomUUID } from 'node:crypto';
import { GarbageCollector, GcProgress, TextContent } from 'fennflow-nestjs';
import { silentLogger } from 'fennflow-nestjs';
import {
  Fixture,
  inMemoryFixture,
  storedKeys,
} from '../../support/in-memory-fixture';

const text = (body: string, filename: string) =>
  TextContent.from(body, { filename });
const tick = () => new Promise((r) => setTimeout(r, 5));

async function putRaw(fixture: Fixture, key: string, namespace = 'docs') {
  await fixture.storage.putObject(namespace, key, Buffer.from(key), {
    mediaType: 'application/octet-stream',
    metadata: {},
  });
}

function collectorOf(fixture: Fixture): GarbageCollector {
  return new GarbageCollector({
    backend: fixture.backend,
    connector: fixture.storage,
    namespaces: ['docs', 'media'],
    logger: silentLogger,
  });
}

const backupOf = (sessionId: string, path: string) =>
  `fennflow/tmp/session_id_${sessionId}/operation_id_${randomUUID()}/${path}`;

async function deadSession(
  fixture: Fixture,
  state: 'open' | 'compensation_failed',
): Promise<string> {
  const id = randomUUID();
  await fixture.backend.createSession({
    id,
    state,
    leaseExpiresAt: new Date(Date.now() - 60_000),
    createdAt: new Date(Date.now() - 120_000),
  });
  return id;
}

describe('GarbageCollector: backups', () => {
  it("removes the backups of finished sessions and keeps a live session's", async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) => uow.docs.create(text('v1', 'a.txt')));
    const live = await fixture.factory.begin();
    await live.docs.put(text('v2', 'a.txt')); // backs up v1
    const liveBackups = (await storedKeys(fixture.storage, 'docs')).filter(
      (k) => k.startsWith('fennflow/tmp/'),
    );
    expect(liveBackups).toHaveLength(1);
    const finished = backupOf(randomUUID(), 'x/old.txt');
    await putRaw(fixture, finished);
    await putRaw(fixture, 'fennflow/tmp/not-a-backup.txt');

    const report = await collectorOf(fixture).collect();

    expect(report.removed).toEqual([
      expect.objectContaining({
        namespace: 'docs',
        key: finished,
        reason: 'session-finished',
      }),
    ]);
    expect(report.keptSessions).toEqual([
      { sessionId: live.id, reason: 'live' },
    ]);
    expect(report.skippedUnknown).toBe(1);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(
      ['a.txt', 'fennflow/tmp/not-a-backup.txt', ...liveBackups].sort(),
    );
    // The live session can still roll back to v1.
    await live.rollback();
    await live.close();
    await fixture.factory.run(async (uow) => {
      expect(await (await uow.docs.get('a.txt')).at(0)?.content.text()).toBe(
        'v1',
      );
    });
  });

  it('recovers a session whose lease expired, then removes its backups', async () => {
    const fixture = inMemoryFixture();
    const id = await deadSession(fixture, 'open');
    const key = backupOf(id, 'a.txt');
    await putRaw(fixture, key);

    const dry = await collectorOf(fixture).collect({ dryRun: true });
    expect(dry.removed).toEqual([]);
    expect(dry.keptSessions).toEqual([
      { sessionId: id, reason: 'needs-recovery' },
    ]);
    expect(await fixture.backend.getSession(id)).not.toBeNull();

    const report = await collectorOf(fixture).collect();
    expect(report.recovered).toEqual([
      { sessionId: id, result: 'rolled-back' },
    ]);
    expect(report.removed.map((r) => [r.key, r.reason])).toEqual([
      [key, 'session-recovered'],
    ]);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([]);
  });

  it('never removes the backups of a session whose compensation failed', async () => {
    const fixture = inMemoryFixture();
    const id = await deadSession(fixture, 'compensation_failed');
    const key = backupOf(id, 'a.txt');
    await putRaw(fixture, key);
    const report = await collectorOf(fixture).collect({
      orphans: true,
      graceMs: 0,
    });
    expect(report.removed).toEqual([]);
    expect(report.keptSessions).toEqual([
      { sessionId: id, reason: 'compensation-failed' },
    ]);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([key]);
  });

  it('dry run lists what it would remove and removes nothing', async () => {
    const fixture = inMemoryFixture();
    const key = backupOf(randomUUID(), 'a.txt');
    await putRaw(fixture, key);
    await putRaw(fixture, 'orphan.txt', 'media');
    await tick();
    const report = await collectorOf(fixture).collect({
      dryRun: true,
      orphans: true,
      graceMs: 0,
    });
    expect(report.dryRun).toBe(true);
    expect(report.removed.map((r) => [r.namespace, r.key, r.reason])).toEqual([
      ['docs', key, 'session-finished'],
      ['media', 'orphan.txt', 'orphan'],
    ]);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([key]);
    expect(await storedKeys(fixture.storage, 'media')).toEqual(['orphan.txt']);
  });
});

describe('GarbageCollector: orphans', () => {
  async function scene() {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) =>
      uow.docs.create(text('v', 'visible.txt'), text('d', 'deleted.txt')),
    );
    // A committed delete whose deferred storage delete failed: the object stays behind.
    fixture.connector.failWhen((call) => call.method === 'deleteObjects');
    await fixture.factory.run((uow) => uow.docs.delete('deleted.txt'));
    fixture.connector.heal();
    await putRaw(fixture, 'no-row.txt');
    const pending = await fixture.factory.begin();
    await pending.docs.create(text('p', 'pending.txt'));
    await tick();
    return { fixture, pending };
  }

  it('removes objects with no visible record older than the grace period, never visible or pending ones', async () => {
    const { fixture, pending } = await scene();
    const progress: GcProgress[] = [];
    const report = await collectorOf(fixture).collect({
      orphans: true,
      graceMs: 0,
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(report.removed.map((r) => [r.key, r.reason])).toEqual([
      ['deleted.txt', 'orphan'],
      ['no-row.txt', 'orphan'],
    ]);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([
      'pending.txt',
      'visible.txt',
    ]);
    expect(
      progress
        .filter((p) => p.phase === 'orphans' && p.namespace === 'docs')
        .at(-1),
    ).toMatchObject({
      scanned: 4,
      removed: 2,
    });
    await pending.commit();
    await pending.close();
    await fixture.factory.run(async (uow) => {
      expect((await uow.docs.list()).paths).toEqual([
        'pending.txt',
        'visible.txt',
      ]);
    });
  });

  it('keeps orphans younger than the grace period (default 24 h) and skips them without orphans: true', async () => {
    const { fixture, pending } = await scene();
    expect((await collectorOf(fixture).collect()).removed).toEqual([]);
    expect(
      (await collectorOf(fixture).collect({ orphans: true })).removed,
    ).toEqual([]);
    expect(
      (await collectorOf(fixture).collect({ orphans: true, graceMs: 60_000 }))
        .removed,
    ).toEqual([]);
    expect(await storedKeys(fixture.storage, 'docs')).toHaveLength(4);
    await pending.close();
  });
});
