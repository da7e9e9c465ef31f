import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StreamContent } from 'fennflow-nestjs';
import {
  filesystem,
  inMemory,
  s3,
  type ConnectorFixture,
  type FixtureSource,
} from '../../support/connector-fixtures';
import { storedKeys } from '../../support/in-memory-fixture';
import { TMP_PREFIX } from '../../support/saga-harness';
import { keyOf } from '../../support/saga-model';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** `bytes` of deterministic bytes in 64 KiB chunks, made on the fly; `seed` tells versions apart. */
async function* generated(bytes: number, seed: number): AsyncGenerator<Buffer> {
  for (let sent = 0, i = 0; sent < bytes; sent += CHUNK, i++) {
    const chunk = Buffer.alloc(Math.min(CHUNK, bytes - sent), (seed + i) % 251);
    chunk.writeUInt32BE(i, 0);
    yield chunk;
  }
}

interface Digest {
  readonly sha256: string;
  readonly size: number;
}

async function digestOf(source: AsyncIterable<Buffer>): Promise<Digest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** A sink that hashes what is piped into it. */
function hashingSink(): { sink: Writable; digest: () => Digest } {
  const hash = createHash('sha256');
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done();
    },
  });
  return { sink, digest: () => ({ sha256: hash.digest('hex'), size }) };
}

/** Reads a visible file through a fresh unit of work, piping its stream without bytes(). */
async function readThroughStream(
  fixture: ConnectorFixture,
  path: string,
): Promise<Digest> {
  return fixture.factory.run(async (uow) => {
    const [item] = await uow.docs.get(path);
    const bytes = jest.spyOn(item.content, 'bytes');
    const text = jest.spyOn(item.content, 'text');
    const { sink, digest } = hashingSink();
    await pipeline(item.content.stream(), sink);
    expect(bytes).not.toHaveBeenCalled();
    expect(text).not.toHaveBeenCalled();
    return digest();
  });
}

/** The row of a visible file matches the object in storage: uploaded, unlocked, same size and etag. */
async function expectRecordMatches(
  fixture: ConnectorFixture,
  path: string,
  size: number,
): Promise<string> {
  const rows = await fixture.backend.getRecords([{ namespace: 'docs', path }]);
  const row = rows.get(keyOf('docs', path));
  const head = await fixture.storage.headObject('docs', path);
  expect(row).toMatchObject({ status: 'uploaded', lockedBy: null, size });
  expect(head?.size).toBe(size);
  expect(row?.etag).toBe(head?.etag);
  return row?.etag ?? '';
}

const onS3 = s3({ partSize: 5 * MiB });
const sources: FixtureSource[] = [inMemory(), filesystem(), onS3];
afterAll(() => Promise.all(sources.map((source) => source.close())));

describe.each(sources.map((source) => [source.name, source] as const))(
  'streams of unknown length on %s',
  (_name, source) => {
    let fixture: ConnectorFixture;

    beforeEach(async () => {
      fixture = await source.fixture();
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    it('creates from a generator stream and reads back lazily as a stream', async () => {
      const size = 3 * MiB + 123;
      const content = StreamContent.from(generated(size, 1), {
        filename: 'streams/created.bin',
      });
      expect(content.size).toBeUndefined();
      await fixture.factory.run(async (uow) => {
        const [stored] = await uow.docs.create(content);
        expect(stored.size).toBe(size);
      });
      const expected = await digestOf(generated(size, 1));
      expect(await readThroughStream(fixture, 'streams/created.bin')).toEqual(
        expected,
      );
      await expectRecordMatches(fixture, 'streams/created.bin', size);
    });

    it('rolls back a streamed create and a streamed put of a new file', async () => {
      const uow = await fixture.factory.begin();
      await uow.docs.create(
        StreamContent.from(generated(2 * MiB, 2), { filename: 'new/a.bin' }),
      );
      await uow.docs.put(
        StreamContent.from(Readable.from(generated(2 * MiB, 3)), {
          filename: 'new/b.bin',
        }),
      );
      expect((await uow.docs.list()).paths).toEqual(['new/a.bin', 'new/b.bin']);
      await uow.rollback();
      await uow.close();
      for (const ns of ['docs', 'media']) {
        expect(await storedKeys(fixture.storage, ns)).toEqual([]);
      }
    });

    it('backs up and restores a large object by server-side copy, never a download', async () => {
      const size = 12 * MiB;
      const path = 'big/twelve.bin';
      await fixture.factory.run(async (uow) => {
        await uow.docs.create(
          StreamContent.from(generated(size, 10), { filename: path }),
        );
      });
      const original = await digestOf(generated(size, 10));
      const etagBefore = await expectRecordMatches(fixture, path, size);
      const server = source === onS3 ? await onS3.server() : null;
      await server?.takeRequests();
      fixture.connector.resetCalls();

      const uow = await fixture.factory.begin();
      await uow.docs.put(
        StreamContent.from(Readable.from(generated(size, 20)), {
          filename: path,
        }),
      );
      await uow.rollback();
      await uow.close();

      expect(fixture.connector.callsOf('getObject')).toEqual([]);
      const copies = fixture.connector.callsOf('copyObject');
      expect(copies.map((c) => c.keys[0])).toEqual([
        path,
        expect.stringMatching(/^fennflow\/tmp\//),
      ]);
      expect(copies[0].keys[1]).toBe(copies[1].keys[0]);
      if (server) {
        const requests = await server.takeRequests();
        // The new version went up in parts; nothing was read back.
        expect(requests.filter((r) => /partNumber=\d+/.test(r))).toHaveLength(
          3,
        );
        expect(requests.filter((r) => /^GET \/docs\/[^?]/.test(r))).toEqual([]);
      }

      expect(await readThroughStream(fixture, path)).toEqual(original);
      expect(await expectRecordMatches(fixture, path, size)).toBe(etagBefore);
      expect(
        (await storedKeys(fixture.storage, 'docs')).filter((k) =>
          k.startsWith(TMP_PREFIX),
        ),
      ).toEqual([]);
    });

    it('puts a large stream over an existing object and commits, backup removed', async () => {
      const size = 12 * MiB;
      const path = 'big/replaced.bin';
      await fixture.factory.run(async (uow) => {
        await uow.docs.create(
          StreamContent.from(generated(size, 30), { filename: path }),
        );
      });
      fixture.connector.resetCalls();
      await fixture.factory.run(async (uow) => {
        await uow.docs.put(
          StreamContent.from(generated(size + 5, 40), { filename: path }),
        );
      });
      expect(fixture.connector.callsOf('getObject')).toEqual([]);
      expect(await readThroughStream(fixture, path)).toEqual(
        await digestOf(generated(size + 5, 40)),
      );
      expect(await storedKeys(fixture.storage, 'docs')).toEqual([path]);
      await expectRecordMatches(fixture, path, size + 5);
    });
  },
);
