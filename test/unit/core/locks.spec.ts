import { RecordLockedError, TextContent } from 'fennflow-nestjs';
import {
  inMemoryFixture,
  stopLeaseRenewal,
  storedKeys,
  storedText,
} from '../../support/in-memory-fixture';

const text = (body: string, filename: string) =>
  TextContent.from(body, { filename });

describe('locks between sessions', () => {
  it('fails fast with RecordLockedError on every kind of write to a path with pending work', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run(async (uow) => {
      await uow.docs.create(text('committed', 'a.txt'), text('src', 'src.txt'));
    });
    const a = await fixture.factory.begin();
    await a.docs.put(text('pending', 'a.txt'));
    await a.docs.delete('src.txt');
    const b = await fixture.factory.begin();
    const writes = [
      () => b.docs.create(text('x', 'a.txt')),
      () => b.docs.put(text('x', 'a.txt')),
      () => b.docs.delete('a.txt'),
      () => b.docs.copy('other.txt', 'a.txt'),
      () => b.docs.move('src.txt', 'elsewhere.txt'),
    ];
    for (const write of writes) {
      const error = await write().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecordLockedError);
      expect(error).toMatchObject({
        code: 'E_FENNFLOW_RECORD_LOCKED',
        lockedBy: a.id,
        namespace: 'docs',
      });
    }
    // Conservative isolation: the committed version is invisible to others while a is pending.
    expect(await b.docs.get('a.txt')).toHaveLength(0);
    expect((await b.docs.list()).paths).toEqual([]);
    await a.rollback();
    await b.docs.put(text('b wins', 'a.txt'));
    await b.commit();
    await Promise.all([a.close(), b.close()]);
    expect(await storedText(fixture.storage, 'docs', 'a.txt')).toBe('b wins');
  });

  it("never lets one session roll back another session's committed bytes", async () => {
    const fixture = inMemoryFixture();
    const a = await fixture.factory.begin();
    await a.docs.create(text('from a', 'x.txt'));
    const b = await fixture.factory.begin();
    await expect(b.docs.create(text('from b', 'x.txt'))).rejects.toBeInstanceOf(
      RecordLockedError,
    );
    await a.commit();
    await b.rollback();
    await Promise.all([a.close(), b.close()]);
    expect(await storedText(fixture.storage, 'docs', 'x.txt')).toBe('from a');
  });

  it('a pending path does not block other paths', async () => {
    const fixture = inMemoryFixture();
    const a = await fixture.factory.begin();
    await a.docs.create(text('a', 'x.txt'));
    await fixture.factory.run(async (b) => {
      await b.docs.create(text('b', 'y.txt'));
    });
    await a.commit();
    await a.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([
      'x.txt',
      'y.txt',
    ]);
  });

  it('frees the locks of an abandoned session once its lease expired, compensating its work', async () => {
    const fixture = inMemoryFixture({ leaseMs: 300 });
    await fixture.factory.run(async (uow) => {
      await uow.docs.create(text('v1', 'a.txt'));
    });
    const abandoned = await fixture.factory.begin();
    await abandoned.docs.put(text('half-done', 'a.txt'));
    await abandoned.docs.create(text('orphan', 'new.txt'));
    // Simulate a crashed process: the lease stops being renewed.
    stopLeaseRenewal(abandoned);

    const b = await fixture.factory.begin();
    await expect(b.docs.put(text('too early', 'a.txt'))).rejects.toBeInstanceOf(
      RecordLockedError,
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    await b.docs.put(text('v2', 'a.txt'));
    await b.commit();
    await b.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['a.txt']);
    expect(await storedText(fixture.storage, 'docs', 'a.txt')).toBe('v2');
    expect(await fixture.backend.getSession(abandoned.id)).toBeNull();
  });

  it('recoverExpired() settles dead sessions without anyone touching their paths', async () => {
    const fixture = inMemoryFixture({ leaseMs: 300 });
    const abandoned = await fixture.factory.begin();
    await abandoned.docs.create(text('x', 'x.txt'));
    stopLeaseRenewal(abandoned);
    expect(await fixture.factory.recoverExpired()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await fixture.factory.recoverExpired()).toEqual(['rolled-back']);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([]);
  });

  it('keeps renewing the lease of a unit of work that is open and busy', async () => {
    const fixture = inMemoryFixture({ leaseMs: 300 });
    const a = await fixture.factory.begin();
    await a.docs.create(text('a', 'x.txt'));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const b = await fixture.factory.begin();
    await expect(b.docs.put(text('b', 'x.txt'))).rejects.toBeInstanceOf(
      RecordLockedError,
    );
    await a.commit();
    await Promise.all([a.close(), b.close()]);
    expect(await storedText(fixture.storage, 'docs', 'x.txt')).toBe('a');
  });
});
