import {
  CommitFailedError,
  InMemoryBackend,
  InMemoryConnector,
  ObjectBody,
  PutObjectOptions,
  PutObjectResult,
  RecordAlreadyExistsError,
  TextContent,
  UnitOfWorkFactory,
} from 'fennflow-nestjs';
import { FaultyConnector, InjectedFault } from '../../support/faulty.connector';
import {
  inMemoryFixture,
  storedKeys,
  storedText,
  TestUnitOfWork,
} from '../../support/in-memory-fixture';
import { silentLogger } from 'fennflow-nestjs';

const text = (body: string, filename: string) =>
  TextContent.from(body, { filename });

/** Regression tests for the known bugs of the Python FennFlow (reference §9), which must not exist here. */
describe('upstream bugs that must not exist', () => {
  it('#1: the same path in two namespaces is two independent steps', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run(async (uow) => {
      await uow.docs.create(text('docs v1', 'same.txt'));
      await uow.media.create(text('media v1', 'same.txt'));
    });
    await fixture.factory
      .run(async (uow) => {
        await uow.docs.put(text('docs v2', 'same.txt'));
        await uow.media.put(text('media v2', 'same.txt'));
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect(await storedText(fixture.storage, 'docs', 'same.txt')).toBe(
      'docs v1',
    );
    expect(await storedText(fixture.storage, 'media', 'same.txt')).toBe(
      'media v1',
    );
    await fixture.factory.run(async (uow) => {
      await uow.docs.put(text('docs v3', 'same.txt'));
      await uow.media.delete('same.txt');
    });
    expect(await storedText(fixture.storage, 'docs', 'same.txt')).toBe(
      'docs v3',
    );
    expect(await storedKeys(fixture.storage, 'media')).toEqual([]);
  });

  it('#2: a put or delete after an own create does not resurrect the file on rollback', async () => {
    const fixture = inMemoryFixture();
    const uow = await fixture.factory.begin();
    await uow.docs.create(text('1', 'a.txt'), text('1', 'b.txt'));
    await uow.docs.put(text('2', 'a.txt'));
    await uow.docs.delete('b.txt');
    await uow.rollback();
    await uow.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([]);
    await fixture.factory.run(async (check) =>
      expect((await check.docs.list()).paths).toEqual([]),
    );
  });

  it('#2: a put after an own delete, then rollback, keeps the originally deleted file', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) =>
      uow.docs.create(text('original', 'a.txt')),
    );
    const uow = await fixture.factory.begin();
    await uow.docs.delete('a.txt');
    await uow.docs.put(text('replacement', 'a.txt'));
    await uow.rollback();
    await uow.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['a.txt']);
    expect(await storedText(fixture.storage, 'docs', 'a.txt')).toBe('original');
  });

  it('#4: backups are removed only after the commit point; a failing commit compensates and rethrows', async () => {
    const scope = 'regression-4';
    InMemoryBackend.reset(scope);
    InMemoryConnector.reset(scope);
    const backend = new FailingCommitBackend(scope);
    const connector = new FaultyConnector(new InMemoryConnector(scope));
    const factory = new UnitOfWorkFactory({
      backend,
      connector,
      unitOfWork: TestUnitOfWork,
      logger: silentLogger,
    });
    await factory.run((uow) => uow.docs.create(text('v1', 'a.txt')));
    backend.failCommit = true;
    const error = await factory
      .run((uow) => uow.docs.put(text('v2', 'a.txt')))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommitFailedError);
    expect((error as CommitFailedError).cause).toEqual(
      new Error('database went away'),
    );
    expect(await storedKeys(connector.inner, 'docs')).toEqual(['a.txt']);
    expect(await storedText(connector.inner, 'docs', 'a.txt')).toBe('v1');
  });

  it('#5: a failed backup never leads compensation to delete the original', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) =>
      uow.docs.create(text('precious', 'a.txt')),
    );
    let failures = 0;
    fixture.connector.failWhen(
      (call) =>
        call.method === 'copyObject' &&
        call.keys[1].startsWith('fennflow/tmp/') &&
        failures++ === 0,
    );
    const error = await fixture.factory
      .run((uow) => uow.docs.put(text('new', 'a.txt')))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InjectedFault);
    fixture.connector.heal();
    expect(await storedText(fixture.storage, 'docs', 'a.txt')).toBe('precious');
    await fixture.factory.run(async (uow) => {
      expect(await (await uow.docs.get('a.txt')).at(0)?.content.text()).toBe(
        'precious',
      );
    });
  });

  it('#6: a failed upload is reported only after its siblings settled, so compensation never races them', async () => {
    const scope = 'regression-6';
    InMemoryBackend.reset(scope);
    InMemoryConnector.reset(scope);
    const connector = new SlowConnector(new InMemoryConnector(scope));
    connector.failWhen(
      (call) => call.method === 'putObject' && call.keys[0] === 'fails.txt',
    );
    const factory = new UnitOfWorkFactory({
      backend: new InMemoryBackend(scope),
      connector,
      unitOfWork: TestUnitOfWork,
      logger: silentLogger,
    });
    const uow = await factory.begin();
    await expect(
      uow.docs.put(text('slow', 'slow.txt'), text('x', 'fails.txt')),
    ).rejects.toBeInstanceOf(InjectedFault);
    expect(connector.finishedSlowPuts).toBe(1);
    await uow.rollback();
    await uow.close();
    expect(await storedKeys(connector.inner, 'docs')).toEqual([]);
  });

  it('#7: the same path twice in one delete is staged once', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) => uow.docs.create(text('x', 'a.txt')));
    await fixture.factory.run(async (uow) => {
      const result = await uow.docs.delete('a.txt', 'a.txt');
      expect(result.map((r) => r?.path ?? null)).toEqual(['a.txt', 'a.txt']);
    });
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([]);
  });

  it('#8: a folder never matches its sibling names, and LIKE wildcards are literal', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) =>
      uow.docs.create(
        text('1', 'folder1/a.txt'),
        text('10', 'folder10/a.txt'),
        text('_', 'f_x/a.txt'),
      ),
    );
    await fixture.factory.run(async (uow) => {
      expect((await uow.docs.at('folder1').list()).paths).toEqual([
        'folder1/a.txt',
      ]);
      expect((await uow.docs.at('folder1/').list()).paths).toEqual([
        'folder1/a.txt',
      ]);
      expect((await uow.docs.list({ prefix: 'f_' })).paths).toEqual([
        'f_x/a.txt',
      ]);
    });
  });

  it('#9: the in-memory connector does not skip a key at page boundaries', async () => {
    const connector = new InMemoryConnector('regression-9');
    InMemoryConnector.reset('regression-9');
    const keys = ['a', 'b', 'c', 'd', 'e'];
    for (const key of keys)
      await connector.putObject('bucket', key, Buffer.from(key), {
        mediaType: 'text/plain',
        metadata: {},
      });
    for (const limit of [1, 2, 5]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<InMemoryConnector['listObjects']>> =
          await connector.listObjects('bucket', { limit, cursor });
        seen.push(...page.objects.map((o) => o.key));
        cursor = page.cursor;
      } while (cursor !== null);
      expect(seen).toEqual(keys);
    }
  });

  it('#18: a create that fails on one file writes none of them, so a later commit adds nothing', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run((uow) =>
      uow.docs.create(text('old', 'taken.txt')),
    );
    await fixture.factory.run(async (uow) => {
      await expect(
        uow.docs.create(text('a', 'a.txt'), text('t', 'taken.txt')),
      ).rejects.toBeInstanceOf(RecordAlreadyExistsError);
    });
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['taken.txt']);
    await fixture.factory.run(async (uow) =>
      expect((await uow.docs.list()).paths).toEqual(['taken.txt']),
    );
  });
});

class FailingCommitBackend extends InMemoryBackend {
  failCommit = false;

  override async commitSession(sessionId: string, now: Date) {
    if (this.failCommit) throw new Error('database went away');
    return super.commitSession(sessionId, now);
  }
}

class SlowConnector extends FaultyConnector {
  finishedSlowPuts = 0;

  override async putObject(
    namespace: string,
    key: string,
    body: ObjectBody,
    options: PutObjectOptions,
  ): Promise<PutObjectResult> {
    if (key === 'slow.txt') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const result = await super.putObject(namespace, key, body, options);
      this.finishedSlowPuts++;
      return result;
    }
    return super.putObject(namespace, key, body, options);
  }
}
