import {
  FileNotFoundError,
  InvalidPathError,
  RecordAlreadyExistsError,
  RESERVED_PREFIX,
  TextContent,
  DuplicatePathError,
} from 'fennflow-nestjs';
import {
  inMemoryFixture,
  storedKeys,
  storedText,
  Fixture,
} from '../../support/in-memory-fixture';

const text = (body: string, filename: string) =>
  TextContent.from(body, { filename });

async function committed(
  fixture: Fixture,
  files: Record<string, string>,
  namespace: 'docs' | 'media' = 'docs',
) {
  await fixture.factory.run(async (uow) => {
    await uow[namespace].create(
      ...Object.entries(files).map(([path, body]) => text(body, path)),
    );
  });
}

async function visibleTexts(
  fixture: Fixture,
  namespace: 'docs' | 'media' = 'docs',
): Promise<Record<string, string>> {
  return fixture.factory.run(async (uow) => {
    const { paths } = await uow[namespace].list();
    const files = await uow[namespace].get(...paths);
    const result: Record<string, string> = {};
    for (const item of files) result[item.path] = await item.content.text();
    return result;
  });
}

describe('create', () => {
  it('writes the object at once, visible to its own session only until commit', async () => {
    const fixture = inMemoryFixture();
    const uow = await fixture.factory.begin();
    await uow.docs.create(text('hello', 'a.txt'));
    expect(await storedText(fixture.storage, 'docs', 'a.txt')).toBe('hello');
    expect((await uow.docs.list()).paths).toEqual(['a.txt']);
    expect(await visibleTexts(fixture)).toEqual({});
    expect(
      (await fixture.backend.getRecords([{ namespace: 'docs', path: 'a.txt' }]))
        .values()
        .next().value,
    ).toMatchObject({
      status: 'pending',
      lockedBy: uow.id,
      operation: 'create',
    });
    await uow.commit();
    expect(await visibleTexts(fixture)).toEqual({ 'a.txt': 'hello' });
    await uow.close();
  });

  it('rolls back by removing the object; the path can be created again', async () => {
    const fixture = inMemoryFixture();
    const uow = await fixture.factory.begin();
    await uow.docs.create(text('hello', 'a.txt'));
    await uow.rollback();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([]);
    expect(await visibleTexts(fixture)).toEqual({});
    await uow.docs.create(text('again', 'a.txt'));
    await uow.commit();
    await uow.close();
    expect(await visibleTexts(fixture)).toEqual({ 'a.txt': 'again' });
  });

  it('refuses a visible path with RecordAlreadyExistsError, checking every file before writing any', async () => {
    const fixture = inMemoryFixture();
    await committed(fixture, { 'taken.txt': 'old' });
    fixture.connector.resetCalls();
    await fixture.factory.run(async (uow) => {
      await expect(
        uow.docs.create(text('new', 'free.txt'), text('x', 'taken.txt')),
      ).rejects.toBeInstanceOf(RecordAlreadyExistsError);
      expect(fixture.connector.calls).toEqual([]);
      expect((await uow.docs.list()).paths).toEqual(['taken.txt']);
    });
    expect(await visibleTexts(fixture)).toEqual({ 'taken.txt': 'old' });
  });

  it('refuses the same path twice in one call with DuplicatePathError before any I/O', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run(async (uow) => {
      await expect(
        uow.docs.create(text('1', 'a.txt'), text('2', 'a.txt')),
      ).rejects.toBeInstanceOf(DuplicatePathError);
      await expect(
        uow.docs.at('d').put(text('1', 'a.txt'), text('2', '/a.txt')),
      ).rejects.toBeInstanceOf(DuplicatePathError);
    });
    expect(fixture.connector.calls).toEqual([]);
  });
});

describe('put', () => {
  it('keeps a backup of the replaced bytes under fennflow/tmp and removes it after commit', async () => {
    const fixture = inMemoryFixture();
    await committed(fixture, { 'a.txt': 'v1' });
    const uow = await fixture.factory.begin();
    await uow.docs.put(text('v2', 'a.txt'));
    const keys = await storedKeys(fixture.storage, 'docs');
    const backups = keys.filter((k) => k.startsWith(RESERVED_PREFIX));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(
      new RegExp(
        `^fennflow/tmp/session_id_${uow.id}/operation_id_[0-9a-f-]+/a\\.txt$`,
      ),
    );
    expect(await storedText(fixture.storage, 'docs', backups[0])).toBe('v1');
    expect(await visibleTexts(fixture)).toEqual({});
    await uow.commit();
    await uow.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['a.txt']);
    expect(await visibleTexts(fixture)).toEqual({ 'a.txt': 'v2' });
  });

  it('restores the previous bytes on rollback, whatever number of puts came before', async () => {
    const fixture = inMemoryFixture();
    await committed(fixture, { 'a.txt': 'v1' });
    await expect(
      fixture.factory.run(async (uow) => {
        for (let i = 2; i <= 5; i++) await uow.docs.put(text(`v${i}`, 'a.txt'));
        expect(await (await uow.docs.get('a.txt')).at(0)?.content.text()).toBe(
          'v5',
        );
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['a.txt']);
    expect(await visibleTexts(fixture)).toEqual({ 'a.txt': 'v1' });
  });

  it('rolls back a put on a new path by removing it', async () => {
    const fixture = inMemoryFixture();
    const uow = await fixture.factory.begin();
    await uow.docs.put(text('new', 'n.txt'));
    await uow.rollback();
    await uow.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([]);
  });

  it('restores media type, size and metadata of the replaced file', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run(async (uow) => {
      await uow.docs.put(
        TextContent.from('# title', {
          filename: 'r.md',
          metadata: { author: 'ann' },
        }),
      );
    });
    const before = await fixture.factory.run((uow) => uow.docs.stat('r.md'));
    await fixture.factory
      .run(async (uow) => {
        await uow.docs.put(
          TextContent.from('plain and longer', {
            filename: 'r.md',
            mediaType: 'text/plain',
          }),
        );
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect(await fixture.factory.run((uow) => uow.docs.stat('r.md'))).toEqual(
      before,
    );
    expect(before[0]).toMatchObject({
      mediaType: 'text/markdown',
      size: 7,
      metadata: { author: 'ann' },
    });
  });
});

describe('delete', () => {
  it('hides the file at once but leaves storage alone until the commit', async () => {
    const fixture = inMemoryFixture();
    await committed(fixture, { 'a.txt': 'v1', 'b.txt': 'b' });
    const uow = await fixture.factory.begin();
    fixture.connector.resetCalls();
    const result = await uow.docs.delete('a.txt', 'missing.txt');
    expect(result).toEqual([
      { path: 'a.txt', namespace: 'docs', size: 2, mediaType: 'text/plain' },
      null,
    ]);
    expect(fixture.connector.calls).toEqual([]);
    expect((await uow.docs.list()).paths).toEqual(['b.txt']);
    expect(await uow.docs.get('a.txt')).toHaveLength(0);
    await uow.commit();
    expect(
      fixture.connector.callsOf('deleteObjects').flatMap((c) => c.keys),
    ).toEqual(['a.txt']);
    await uow.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['b.txt']);
  });

  it('rolls back without any storage call', async () => {
    const fixture = inMemoryFixture();
    await committed(fixture, { 'a.txt': 'v1' });
    const uow = await fixture.factory.begin();
    await uow.docs.delete('a.txt');
    fixture.connector.resetCalls();
    await uow.rollback();
    await uow.close();
    expect(fixture.connector.calls).toEqual([]);
    expect(await visibleTexts(fixture)).toEqual({ 'a.txt': 'v1' });
  });

  it('deletePrefix removes every visible file under the prefix, folder-aware at cwd', async () => {
    const fixture = inMemoryFixture();
    await committed(fixture, {
      'a/1.txt': '1',
      'a/2.txt': '2',
      'ab/3.txt': '3',
      'b.txt': 'b',
    });
    await fixture.factory.run(async (uow) => {
      const deleted = await uow.docs.at('a').deletePrefix();
      expect(deleted.map((d) => d.path)).toEqual(['a/1.txt', 'a/2.txt']);
    });
    expect(await visibleTexts(fixture)).toEqual({
      'ab/3.txt': '3',
      'b.txt': 'b',
    });
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([
      'ab/3.txt',
      'b.txt',
    ]);
  });
});

describe('copy and move', () => {
  it('copies a visible file, within and across namespaces', async () => {
    const fixture = inMemoryFixture();
    await committed(fixture, { 'a.txt': 'A' });
    await fixture.factory.run(async (uow) => {
      const copied = await uow.docs.copy('a.txt', 'copies/a.txt');
      expect(copied).toMatchObject({
        path: 'copies/a.txt',
        namespace: 'docs',
        mediaType: 'text/plain',
      });
      await uow.docs.copy('a.txt', 'from-docs.txt', { toNamespace: 'media' });
    });
    expect(await visibleTexts(fixture)).toEqual({
      'a.txt': 'A',
      'copies/a.txt': 'A',
    });
    expect(await visibleTexts(fixture, 'media')).toEqual({
      'from-docs.txt': 'A',
    });
  });

  it('overwrites a target with a backup, and restores it on rollback', async () => {
    const fixture = inMemoryFixture();
    await committed(fixture, { 'a.txt': 'A', 'b.txt': 'B' });
    await fixture.factory
      .run(async (uow) => {
        await uow.docs.copy('a.txt', 'b.txt');
        expect(await (await uow.docs.get('b.txt')).at(0)?.content.text()).toBe(
          'A',
        );
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect(await visibleTexts(fixture)).toEqual({ 'a.txt': 'A', 'b.txt': 'B' });
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([
      'a.txt',
      'b.txt',
    ]);
  });

  it('refuses an existing target with overwrite: false, and an invisible source', async () => {
    const fixture = inMemoryFixture();
    await committed(fixture, { 'a.txt': 'A', 'b.txt': 'B' });
    await fixture.factory.run(async (uow) => {
      await expect(
        uow.docs.copy('a.txt', 'b.txt', { overwrite: false }),
      ).rejects.toBeInstanceOf(RecordAlreadyExistsError);
      await expect(uow.docs.move('nope.txt', 'c.txt')).rejects.toBeInstanceOf(
        FileNotFoundError,
      );
      await expect(uow.docs.copy('a.txt', 'a.txt')).rejects.toBeInstanceOf(
        InvalidPathError,
      );
    });
  });

  it('moves: the target appears, the source disappears from storage only after commit', async () => {
    const fixture = inMemoryFixture();
    await committed(fixture, { 'a.txt': 'A' });
    const uow = await fixture.factory.begin();
    await uow.docs.move('a.txt', 'moved/a.txt');
    expect((await uow.docs.list()).paths).toEqual(['moved/a.txt']);
    expect(await storedKeys(fixture.storage, 'docs')).toEqual([
      'a.txt',
      'moved/a.txt',
    ]);
    await uow.commit();
    await uow.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['moved/a.txt']);
    expect(await visibleTexts(fixture)).toEqual({ 'moved/a.txt': 'A' });
  });

  it('rolls a move back to the source alone', async () => {
    const fixture = inMemoryFixture();
    await committed(fixture, { 'a.txt': 'A' });
    const uow = await fixture.factory.begin();
    await uow.docs.move('a.txt', 'b.txt');
    await uow.docs.move('b.txt', 'c.txt');
    await uow.rollback();
    await uow.close();
    expect(await storedKeys(fixture.storage, 'docs')).toEqual(['a.txt']);
    expect(await visibleTexts(fixture)).toEqual({ 'a.txt': 'A' });
  });
});
