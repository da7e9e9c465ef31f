import {
  CommitFailedError,
  CompensationFailedError,
  TextContent,
} from 'fennflow-nestjs';
import { InjectedFault } from '../../support/faulty.connector';
import {
  inMemoryFixture,
  storedKeys,
  storedText,
} from '../../support/in-memory-fixture';

const text = (body: string, filename: string) =>
  TextContent.from(body, { filename });

describe('compensation', () => {
  it('keeps going past a failed step, then throws CompensationFailedError listing each failure', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) =>
      uow.docs.create(text('a1', 'a.txt'), text('b1', 'b.txt')),
    );
    const uow = await fixture.factory.begin();
    await uow.docs.put(text('a2', 'a.txt'));
    await uow.docs.put(text('b2', 'b.txt'));
    await uow.docs.create(text('c', 'c.txt'));
    fixture.connector.failWhen(
      (call) => call.method === 'copyObject' && call.keys[1] === 'b.txt',
    );

    const error = (await uow
      .rollback()
      .catch((e: unknown) => e)) as CompensationFailedError;
    expect(error).toBeInstanceOf(CompensationFailedError);
    expect(error.code).toBe('E_FENNFLOW_COMPENSATION_FAILED');
    expect(error.failures).toHaveLength(1);
    expect(error.failures[0]).toMatchObject({
      operation: 'put',
      namespace: 'docs',
      path: 'b.txt',
    });
    expect(error.failures[0].cause).toBeInstanceOf(InjectedFault);
    // The other steps were undone.
    expect(await storedText(fixture.storage, 'docs', 'a.txt')).toBe('a1');
    expect(await storedText(fixture.storage, 'docs', 'c.txt')).toBeNull();
    // The failed path is marked and its backup is kept.
    const rows = await fixture.backend.getRecords([
      { namespace: 'docs', path: 'b.txt' },
    ]);
    expect([...rows.values()][0]).toMatchObject({
      status: 'compensation_failed',
      lockedBy: uow.id,
    });
    const backups = (await storedKeys(fixture.storage, 'docs')).filter((k) =>
      k.startsWith('fennflow/tmp/'),
    );
    expect(backups).toHaveLength(1);
    expect(await storedText(fixture.storage, 'docs', backups[0])).toBe('b1');

    // Once storage is healthy again, the next rollback retries the step.
    fixture.connector.heal();
    await uow.rollback();
    await uow.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([
      'a.txt',
      'b.txt',
    ]);
    expect(await storedText(fixture.storage, 'docs', 'b.txt')).toBe('b1');
  });

  it("run(): when fn throws and compensation fails, the error carries fn's error as cause", async () => {
    const fixture = inMemoryFixture();
    const fnError = new Error('verification failed');
    const error = (await fixture.factory
      .run(async (uow) => {
        await uow.docs.create(text('x', 'x.txt'));
        fixture.connector.failWhen((call) => call.method === 'deleteObjects');
        throw fnError;
      })
      .catch((e: unknown) => e)) as CompensationFailedError;
    expect(error).toBeInstanceOf(CompensationFailedError);
    expect(error.cause).toBe(fnError);
    expect(error.failures.map((f) => f.path)).toEqual(['x.txt']);
    expect(error.failures[0].cause).toBeInstanceOf(InjectedFault);
  });

  it('run(): when only fn throws, its error propagates unchanged', async () => {
    const fixture = inMemoryFixture();
    const fnError = new TypeError('bad input');
    await expect(
      fixture.factory.run(async (uow) => {
        await uow.docs.create(text('x', 'x.txt'));
        throw fnError;
      }),
    ).rejects.toBe(fnError);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([]);
  });

  it('a session closed with failed steps is retried by recovery once its lease ran out', async () => {
    const fixture = inMemoryFixture({ leaseMs: 40 });
    await fixture.factory.run((uow) => uow.docs.create(text('v1', 'a.txt')));
    fixture.connector.failWhen(
      (call) => call.method === 'copyObject' && call.keys[1] === 'a.txt',
    );
    await expect(
      fixture.factory.run(async (uow) => {
        await uow.docs.put(text('v2', 'a.txt'));
        throw new Error('abort');
      }),
    ).rejects.toBeInstanceOf(CompensationFailedError);
    fixture.connector.heal();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await fixture.factory.recoverExpired()).toEqual(['rolled-back']);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['a.txt']);
    expect(await storedText(fixture.storage, 'docs', 'a.txt')).toBe('v1');
    await fixture.factory.run(async (uow) => {
      expect(await (await uow.docs.get('a.txt')).at(0)?.content.text()).toBe(
        'v1',
      );
    });
  });

  it('a failed cleanup after commit is not an error: data is committed, garbage is left', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) => uow.docs.create(text('v1', 'a.txt')));
    await fixture.factory.run(async (uow) => {
      await uow.docs.put(text('v2', 'a.txt'));
      fixture.connector.failWhen((call) => call.method === 'deleteObjects');
    });
    fixture.connector.heal();
    await fixture.factory.run(async (uow) => {
      expect(await (await uow.docs.get('a.txt')).at(0)?.content.text()).toBe(
        'v2',
      );
    });
    const keys = await storedKeys(fixture.storage, 'docs');
    expect(keys.filter((k) => k.startsWith('fennflow/tmp/'))).toHaveLength(1);
  });

  it('a failure in the middle of a multi-file call compensates the steps that never ran too', async () => {
    const fixture = inMemoryFixture();
    fixture.connector.failWhen(
      (call) => call.method === 'putObject' && call.keys[0] === 'b.txt',
    );
    await expect(
      fixture.factory.run((uow) =>
        uow.docs.create(
          text('a', 'a.txt'),
          text('b', 'b.txt'),
          text('c', 'c.txt'),
        ),
      ),
    ).rejects.toBeInstanceOf(InjectedFault);
    fixture.connector.heal();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([]);
    const rows = await fixture.backend.getRecords(
      ['a.txt', 'b.txt', 'c.txt'].map((path) => ({ namespace: 'docs', path })),
    );
    expect(
      [...rows.values()].map((r) => [r.path, r.status, r.lockedBy]),
    ).toEqual([
      ['a.txt', 'failed', null],
      ['b.txt', 'failed', null],
      ['c.txt', 'failed', null],
    ]);
  });

  it('undoes a call whose upload failed at once, so the unit of work can go on and commit', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) => uow.docs.create(text('v1', 'a.txt')));
    const uow = await fixture.factory.begin();
    fixture.connector.failWhen(
      (call) => call.method === 'putObject' && call.keys[0] === 'b.txt',
    );
    await expect(
      uow.docs.put(text('v2', 'a.txt'), text('b', 'b.txt')),
    ).rejects.toBeInstanceOf(InjectedFault);
    fixture.connector.heal();
    expect(await (await uow.docs.get('a.txt')).at(0)?.content.text()).toBe(
      'v1',
    );
    expect((await uow.docs.list()).paths).toEqual(['a.txt']);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['a.txt']);
    await uow.docs.put(text('v3', 'a.txt'), text('b', 'b.txt'));
    await uow.commit();
    await uow.close();
    expect(await storedText(fixture.storage, 'docs', 'a.txt')).toBe('v3');
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([
      'a.txt',
      'b.txt',
    ]);
  });

  it('a failed copy in a move leaves the source in place', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) => uow.docs.create(text('A', 'a.txt')));
    const uow = await fixture.factory.begin();
    fixture.connector.failWhen((call) => call.method === 'copyObject');
    await expect(uow.docs.move('a.txt', 'b.txt')).rejects.toBeInstanceOf(
      InjectedFault,
    );
    fixture.connector.heal();
    expect((await uow.docs.list()).paths).toEqual(['a.txt']);
    await uow.commit();
    await uow.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['a.txt']);
  });

  it('refuses to commit when a failed call could not be undone, and compensates instead', async () => {
    const fixture = inMemoryFixture();
    const uow = await fixture.factory.begin();
    await uow.docs.put(text('first', 'a.txt'));
    // The second write overwrites the session's own pending bytes, which have no backup.
    fixture.connector.failWhen(
      (call) => call.method === 'putObject' && call.keys[0] === 'b.txt',
    );
    await expect(
      uow.docs.put(text('second', 'a.txt'), text('b', 'b.txt')),
    ).rejects.toBeInstanceOf(InjectedFault);
    fixture.connector.heal();
    const error = await uow.commit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommitFailedError);
    expect((error as CommitFailedError).cause).toBeInstanceOf(InjectedFault);
    await uow.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([]);
  });
});
