import { TextContent, UnitOfWorkClosedError } from 'fennflow-nestjs';
import { inMemoryFixture, storedKeys } from '../../support/in-memory-fixture';

const text = (body: string, filename: string) =>
  TextContent.from(body, { filename });

describe('unit of work lifecycle', () => {
  it('run() commits when fn resolves and returns its result', async () => {
    const fixture = inMemoryFixture();
    const result = await fixture.factory.run(async (uow) => {
      await uow.docs.create(text('x', 'x.txt'));
      return 42;
    });
    expect(result).toBe(42);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['x.txt']);
  });

  it('await using rolls back what was not committed', async () => {
    const fixture = inMemoryFixture();
    {
      await using uow = await fixture.factory.begin();
      await uow.docs.create(text('kept', 'kept.txt'));
      await uow.commit();
      await uow.docs.create(text('dropped', 'dropped.txt'));
    }
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['kept.txt']);
    expect(
      await fixture.backend.findExpiredSessions(
        new Date(Date.now() + 3_600_000),
        10,
      ),
    ).toEqual([]);
  });

  it('stays usable after commit and after rollback: each forms a segment', async () => {
    const fixture = inMemoryFixture();
    const uow = await fixture.factory.begin();
    await uow.docs.create(text('1', 'one.txt'));
    await uow.commit();
    await uow.docs.create(text('2', 'two.txt'));
    await uow.rollback();
    await uow.docs.create(text('3', 'three.txt'));
    await uow.commit();
    await uow.docs.put(text('1b', 'one.txt'));
    await uow.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([
      'one.txt',
      'three.txt',
    ]);
    await fixture.factory.run(async (check) => {
      expect(
        await (await check.docs.get('one.txt')).at(0)?.content.text(),
      ).toBe('1');
    });
  });

  it('commit and rollback with nothing pending are no-ops', async () => {
    const fixture = inMemoryFixture();
    const uow = await fixture.factory.begin();
    fixture.connector.resetCalls();
    await uow.commit();
    await uow.rollback();
    await uow.close();
    expect(fixture.connector.calls).toEqual([]);
  });

  it('refuses work after close with UnitOfWorkClosedError', async () => {
    const fixture = inMemoryFixture();
    const uow = await fixture.factory.begin();
    await uow.close();
    await expect(uow.docs.create(text('x', 'x.txt'))).rejects.toBeInstanceOf(
      UnitOfWorkClosedError,
    );
    await expect(uow.commit()).rejects.toBeInstanceOf(UnitOfWorkClosedError);
  });

  it('shutdown waits for open units of work, then rolls back those still open after the timeout', async () => {
    const fixture = inMemoryFixture();
    const finishing = await fixture.factory.begin();
    await finishing.docs.create(text('f', 'finishing.txt'));
    const forgotten = await fixture.factory.begin();
    await forgotten.docs.create(text('g', 'forgotten.txt'));
    setTimeout(() => void finishing.commit().then(() => finishing.close()), 30);
    await fixture.factory.shutdown(1000);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([
      'finishing.txt',
    ]);
    await expect(fixture.factory.begin()).rejects.toBeInstanceOf(
      UnitOfWorkClosedError,
    );
  });
});
