import {
  ConnectorCapabilityError,
  ImageContent,
  InvalidArgumentError,
  JsonContent,
  TextContent,
} from 'fennflow-nestjs';
import { inMemoryFixture, Fixture } from '../../support/in-memory-fixture';

async function seed(fixture: Fixture, paths: string[]) {
  await fixture.factory.run(async (uow) => {
    await uow.docs.create(
      ...paths.map((p) => TextContent.from(p, { filename: p })),
    );
  });
}

describe('list', () => {
  it('is folder-aware at cwd, while prefix is a plain string prefix', async () => {
    const fixture = inMemoryFixture();
    await seed(fixture, ['a/x.txt', 'ab/y.txt', 'a.txt', 'abc.txt', 'b.txt']);
    await fixture.factory.run(async (uow) => {
      expect((await uow.docs.at('a').list()).paths).toEqual(['a/x.txt']);
      expect((await uow.docs.list({ prefix: 'a' })).paths).toEqual([
        'a.txt',
        'a/x.txt',
        'ab/y.txt',
        'abc.txt',
      ]);
      expect((await uow.docs.list({ prefix: 'a/' })).paths).toEqual([
        'a/x.txt',
      ]);
    });
  });

  it('treats % and _ literally', async () => {
    const fixture = inMemoryFixture();
    await seed(fixture, ['100%.txt', '100x.txt', 'a_b.txt', 'axb.txt']);
    await fixture.factory.run(async (uow) => {
      expect((await uow.docs.list({ prefix: '100%' })).paths).toEqual([
        '100%.txt',
      ]);
      expect((await uow.docs.list({ prefix: 'a_' })).paths).toEqual([
        'a_b.txt',
      ]);
    });
  });

  it('pages in code-point order; the last page has no cursor, even when it ends exactly', async () => {
    const fixture = inMemoryFixture();
    const paths = [
      'b.txt',
      'a.txt',
      '\u{1F600}.txt',
      '\uFFFD.txt',
      'c.txt',
      'd.txt',
    ];
    await seed(fixture, paths);
    const expected = [
      'a.txt',
      'b.txt',
      'c.txt',
      'd.txt',
      '\uFFFD.txt',
      '\u{1F600}.txt',
    ];
    await fixture.factory.run(async (uow) => {
      for (const limit of [1, 2, 3, 6, 7]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: { paths: string[]; cursor: string | null } =
            await uow.docs.list({ limit, cursor });
          seen.push(...page.paths);
          cursor = page.cursor;
          pages++;
        } while (cursor !== null);
        expect(seen).toEqual(expected);
        expect(pages).toBe(Math.ceil(expected.length / limit));
      }
    });
  });

  it('refuses bad limits and cursors with InvalidArgumentError', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run(async (uow) => {
      for (const limit of [0, -1, 1.5, 10_001]) {
        await expect(uow.docs.list({ limit })).rejects.toBeInstanceOf(
          InvalidArgumentError,
        );
      }
      await expect(
        uow.docs.list({ cursor: 5 as unknown as string }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });
});

describe('get', () => {
  it('returns found files in argument order; storage is read only when content is, never for invisible paths', async () => {
    const fixture = inMemoryFixture();
    await seed(fixture, ['a.txt', 'b.txt']);
    await fixture.factory.run(async (uow) => {
      fixture.connector.resetCalls();
      const response = await uow.docs.get('b.txt', 'missing.txt', 'a.txt');
      expect(response.paths).toEqual(['b.txt', 'a.txt']);
      expect(fixture.connector.calls).toEqual([]);
      expect(await response.at(0)?.content.text()).toBe('b.txt');
      expect(await response.at(1)?.content.text()).toBe('a.txt');
      expect(
        fixture.connector.callsOf('getObject').map((c) => c.keys[0]),
      ).toEqual(['b.txt', 'a.txt']);
    });
  });

  it('lets content read back be streamed more than once', async () => {
    const fixture = inMemoryFixture();
    await seed(fixture, ['a.txt']);
    const read = async (stream: NodeJS.ReadableStream) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream)
        chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks).toString('utf8');
    };
    await fixture.factory.run(async (uow) => {
      const [item] = await uow.docs.get('a.txt');
      expect(await read(item.content.stream())).toBe('a.txt');
      expect(await read(item.content.stream())).toBe('a.txt');
      expect(await item.content.text()).toBe('a.txt');
    });
  });

  it('returns the richest content class with metadata and typed fields round-tripped', async () => {
    const fixture = inMemoryFixture();
    const image = ImageContent.from(Buffer.from([0x89, 0x50, 0x4e, 0x47]), {
      filename: 'p.png',
      width: 800,
      height: 600,
      metadata: { owner: 'ann' },
    });
    await fixture.factory.run(async (uow) => {
      await uow.docs.create(
        image,
        JsonContent.from({ a: 1 }, { filename: 'd.json' }),
      );
    });
    await fixture.factory.run(async (uow) => {
      const response = await uow.docs.get('p.png', 'd.json');
      expect(response.images).toHaveLength(1);
      const stored = response.images[0].content;
      expect(stored).toBeInstanceOf(ImageContent);
      expect(stored).toMatchObject({
        width: 800,
        height: 600,
        mediaType: 'image/png',
        metadata: { owner: 'ann' },
      });
      expect(await stored.bytes()).toEqual(
        Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      );
      expect(await response.jsons[0].content.json()).toEqual({ a: 1 });
    });
  });

  it('getPrefix reads every visible file under a prefix', async () => {
    const fixture = inMemoryFixture();
    await seed(fixture, ['r/1.txt', 'r/2.txt', 'rx.txt']);
    await fixture.factory.run(async (uow) => {
      expect((await uow.docs.at('r').getPrefix()).paths).toEqual([
        'r/1.txt',
        'r/2.txt',
      ]);
    });
  });
});

describe('stat and presignedUrl', () => {
  it('stat serves size, media type, etag, status and metadata from the backend alone', async () => {
    const fixture = inMemoryFixture();
    await fixture.factory.run(async (uow) => {
      await uow.docs.create(
        TextContent.from('hello', { filename: 'a.txt', metadata: { k: 'v' } }),
      );
    });
    await fixture.factory.run(async (uow) => {
      fixture.connector.resetCalls();
      const [stat, missing] = await uow.docs.stat('a.txt', 'nope.txt');
      expect(fixture.connector.calls).toEqual([]);
      expect(missing).toBeNull();
      expect(stat).toEqual({
        path: 'a.txt',
        size: 5,
        mediaType: 'text/plain',
        etag: '5d41402abc4b2a76b9719d911017c592',
        status: 'uploaded',
        metadata: { k: 'v' },
        updatedAt: expect.any(Date),
      });
    });
  });

  it('presignedUrl throws ConnectorCapabilityError on a connector that cannot sign, before any I/O', async () => {
    const fixture = inMemoryFixture();
    await seed(fixture, ['a.txt']);
    await fixture.factory.run(async (uow) => {
      fixture.connector.resetCalls();
      await expect(
        uow.docs.presignedUrl('a.txt', { expiresIn: 60 }),
      ).rejects.toBeInstanceOf(ConnectorCapabilityError);
      expect(fixture.connector.calls).toEqual([]);
    });
  });
});
