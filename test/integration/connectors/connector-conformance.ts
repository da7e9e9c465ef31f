import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  ConnectorCapabilityError,
  FennFlowConnector,
  InvalidArgumentError,
  NoSuchKeyError,
  ObjectAlreadyExistsError,
} from '../../../lib';
import { comparePaths } from '../../../lib/core/backend/compare-paths';

export interface ConformanceFeatures {
  /** Whether `a` and `a/b` can exist at once (not on a filesystem). */
  readonly fileAndFolderKeys: boolean;
}

export interface ConformanceTarget {
  readonly connector: FennFlowConnector;
  readonly features: ConformanceFeatures;
  /** Runs after the suite, after `connector.close()`. */
  readonly teardown?: () => Promise<void>;
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** A stream of `count` chunks of `size` bytes, with no length known up front. */
export function generatedStream(count: number, size: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent === count) return void this.push(null);
      this.push(Buffer.alloc(size, sent++ % 251));
    },
  });
}

export function generatedBytes(count: number, size: number): Buffer {
  return Buffer.concat(
    Array.from({ length: count }, (_, i) => Buffer.alloc(size, i % 251)),
  );
}

/** Emits `before` bytes, then fails with `error`. */
export function failingStream(before: number, error: Error): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.alloc(before, 1));
      } else {
        setImmediate(() => this.destroy(error));
      }
    },
  });
}

const text = (value: string) => Buffer.from(value, 'utf8');
const plain = { mediaType: 'text/plain', metadata: {} };

/** One behaviour for every connector: run it against each implementation. */
export function describeConnectorConformance(
  name: string,
  setup: () => Promise<ConformanceTarget>,
): void {
  describe(`${name} connector conformance`, () => {
    let target: ConformanceTarget;
    let connector: FennFlowConnector;
    let ns: string;
    let other: string;
    let counter = 0;
    const run = randomBytes(3).toString('hex');

    beforeAll(async () => {
      target = await setup();
      connector = target.connector;
    });

    afterAll(async () => {
      await connector?.close();
      await target?.teardown?.();
    });

    beforeEach(async () => {
      counter += 1;
      ns = `conf-${run}-${counter}`;
      other = `conf-${run}-${counter}-other`;
      await connector.ensureNamespace(ns);
      await connector.ensureNamespace(other);
    });

    async function putText(key: string, value: string, namespace = ns) {
      return connector.putObject(namespace, key, text(value), plain);
    }

    async function listAll(prefix: string | undefined, limit: number) {
      const keys: string[] = [];
      const cursors: (string | null)[] = [];
      let cursor: string | null = null;
      do {
        const page = await connector.listObjects(ns, { prefix, limit, cursor });
        expect(page.objects.length).toBeLessThanOrEqual(limit);
        keys.push(...page.objects.map((o) => o.key));
        cursors.push(page.cursor);
        if (page.cursor !== null) {
          expect(page.cursor).toBe(page.objects[page.objects.length - 1]?.key);
        }
        cursor = page.cursor;
      } while (cursor !== null && cursors.length < 100);
      return { keys, pages: cursors.length };
    }

    describe('put, get, head', () => {
      it('round-trips bytes, size, etag, media type and metadata', async () => {
        const data = text('hello connector');
        const put = await connector.putObject(ns, 'docs/hello.txt', data, {
          mediaType: 'text/plain',
          metadata: { owner: 'alice', 'trace-id': 'abc-123' },
          size: data.length,
        });
        expect(put).toEqual({ etag: md5(data), size: data.length });

        const got = await connector.getObject(ns, 'docs/hello.txt');
        expect(await bytesOf(got.body)).toEqual(data);
        expect(got).toMatchObject({
          key: 'docs/hello.txt',
          size: data.length,
          etag: md5(data),
          mediaType: 'text/plain',
          metadata: { owner: 'alice', 'trace-id': 'abc-123' },
        });
        expect(got.lastModified).toBeInstanceOf(Date);

        const head = await connector.headObject(ns, 'docs/hello.txt');
        expect(head).toMatchObject({
          key: 'docs/hello.txt',
          size: data.length,
          etag: md5(data),
          mediaType: 'text/plain',
          metadata: { owner: 'alice', 'trace-id': 'abc-123' },
        });
      });

      it('keeps metadata exactly, whatever the case, spaces or characters', async () => {
        const metadata = {
          plain: 'value',
          MixedCase: 'Keeps Case',
          spaced: '  padded  ',
          empty: '',
          unicode: 'grüße 😀 日本',
          'with space': 'x',
        };
        for (const mediaType of [
          'application/vnd.example+json',
          'image/png',
          'text/csv',
        ]) {
          await connector.putObject(ns, 'meta.bin', text(mediaType), {
            mediaType,
            metadata,
          });
          const head = await connector.headObject(ns, 'meta.bin');
          expect(head?.mediaType).toBe(mediaType);
          expect(head?.metadata).toEqual(metadata);
          const got = await connector.getObject(ns, 'meta.bin');
          got.body.destroy();
          expect(got.metadata).toEqual(metadata);
        }
      });

      it('overwrites bytes, media type and metadata', async () => {
        await connector.putObject(ns, 'k', text('one'), {
          mediaType: 'text/plain',
          metadata: { v: '1' },
        });
        await connector.putObject(ns, 'k', text('second'), {
          mediaType: 'application/json',
          metadata: { w: '2' },
        });
        const got = await connector.getObject(ns, 'k');
        expect((await bytesOf(got.body)).toString()).toBe('second');
        expect(got.mediaType).toBe('application/json');
        expect(got.metadata).toEqual({ w: '2' });
      });

      it('stores empty objects', async () => {
        const put = await connector.putObject(
          ns,
          'empty',
          Buffer.alloc(0),
          plain,
        );
        expect(put.size).toBe(0);
        const got = await connector.getObject(ns, 'empty');
        expect((await bytesOf(got.body)).length).toBe(0);
        expect(got.size).toBe(0);
      });

      it('reports missing keys: get throws NoSuchKeyError, head returns null', async () => {
        await expect(connector.getObject(ns, 'missing')).rejects.toBeInstanceOf(
          NoSuchKeyError,
        );
        await expect(connector.headObject(ns, 'missing')).resolves.toBeNull();
        await putText('folder/inner', 'x');
        await expect(connector.getObject(ns, 'folder')).rejects.toBeInstanceOf(
          NoSuchKeyError,
        );
        await expect(connector.headObject(ns, 'folder')).resolves.toBeNull();
        await expect(
          connector.getObject(ns, 'folder/inner/deeper'),
        ).rejects.toBeInstanceOf(NoSuchKeyError);
      });

      it('keeps namespaces apart', async () => {
        await putText('same', 'in ns');
        await putText('same', 'in other', other);
        const a = await connector.getObject(ns, 'same');
        const b = await connector.getObject(other, 'same');
        expect((await bytesOf(a.body)).toString()).toBe('in ns');
        expect((await bytesOf(b.body)).toString()).toBe('in other');
      });
    });

    describe('ifNoneMatch', () => {
      it('creates an absent key', async () => {
        await connector.putObject(ns, 'new', text('v1'), {
          ...plain,
          ifNoneMatch: true,
        });
        const got = await connector.getObject(ns, 'new');
        expect((await bytesOf(got.body)).toString()).toBe('v1');
      });

      it('refuses an existing key and leaves it untouched', async () => {
        await connector.putObject(ns, 'taken', text('original'), {
          mediaType: 'text/plain',
          metadata: { keep: 'me' },
        });
        await expect(
          connector.putObject(ns, 'taken', text('intruder'), {
            mediaType: 'application/json',
            metadata: {},
            ifNoneMatch: true,
          }),
        ).rejects.toBeInstanceOf(ObjectAlreadyExistsError);
        await expect(
          connector.putObject(ns, 'taken', generatedStream(3, 10), {
            ...plain,
            ifNoneMatch: true,
          }),
        ).rejects.toBeInstanceOf(ObjectAlreadyExistsError);
        const got = await connector.getObject(ns, 'taken');
        expect((await bytesOf(got.body)).toString()).toBe('original');
        expect(got.metadata).toEqual({ keep: 'me' });
        expect(got.mediaType).toBe('text/plain');
      });
    });

    describe('streams', () => {
      it('writes a stream of unknown length and reads it back lazily', async () => {
        const expected = generatedBytes(64, 4099);
        const put = await connector.putObject(
          ns,
          'streams/unknown.bin',
          generatedStream(64, 4099),
          { mediaType: 'application/octet-stream', metadata: { s: '1' } },
        );
        expect(put.size).toBe(expected.length);
        const got = await connector.getObject(ns, 'streams/unknown.bin');
        expect(got.body).toBeInstanceOf(Readable);
        expect(got.size).toBe(expected.length);
        expect(got.etag).toBe(put.etag);
        expect((await bytesOf(got.body)).equals(expected)).toBe(true);
        expect(got.metadata).toEqual({ s: '1' });
      });

      it('accepts async-iterable streams', async () => {
        async function* parts() {
          yield text('a');
          yield text('bc');
        }
        const put = await connector.putObject(
          ns,
          'iter',
          Readable.from(parts()),
          plain,
        );
        expect(put.size).toBe(3);
        const got = await connector.getObject(ns, 'iter');
        expect((await bytesOf(got.body)).toString()).toBe('abc');
      });

      it('fails the put, and stores nothing, when the body stream fails', async () => {
        const boom = new Error('source broke');
        const error = await connector
          .putObject(ns, 'broken', failingStream(1000, boom), plain)
          .then(
            () => null,
            (e: unknown) => e,
          );
        expect(error).not.toBeNull();
        expect(error === boom || (error as Error).cause === boom).toBe(true);
        await expect(connector.headObject(ns, 'broken')).resolves.toBeNull();
        const listing = await connector.listObjects(ns);
        expect(listing.objects).toEqual([]);
      });
    });

    describe('copy', () => {
      it('copies bytes, media type and metadata, within and across namespaces', async () => {
        const data = text('copy me');
        await connector.putObject(ns, 'src/file.txt', data, {
          mediaType: 'text/markdown',
          metadata: { origin: 'src', Fancy: 'ü' },
        });
        const same = await connector.copyObject(
          { namespace: ns, key: 'src/file.txt' },
          { namespace: ns, key: 'dst/file.txt' },
        );
        expect(same).toEqual({ etag: md5(data), size: data.length });
        const across = await connector.copyObject(
          { namespace: ns, key: 'src/file.txt' },
          { namespace: other, key: 'elsewhere.txt' },
        );
        expect(across.size).toBe(data.length);
        for (const [namespace, key] of [
          [ns, 'dst/file.txt'],
          [other, 'elsewhere.txt'],
        ] as const) {
          const got = await connector.getObject(namespace, key);
          expect(await bytesOf(got.body)).toEqual(data);
          expect(got.mediaType).toBe('text/markdown');
          expect(got.metadata).toEqual({ origin: 'src', Fancy: 'ü' });
        }
        const source = await connector.getObject(ns, 'src/file.txt');
        expect(await bytesOf(source.body)).toEqual(data);
      });

      it('overwrites the target', async () => {
        await putText('a.txt', 'new bytes');
        await connector.putObject(ns, 'b.txt', text('old'), {
          mediaType: 'application/json',
          metadata: { old: 'yes' },
        });
        await connector.copyObject(
          { namespace: ns, key: 'a.txt' },
          { namespace: ns, key: 'b.txt' },
        );
        const got = await connector.getObject(ns, 'b.txt');
        expect((await bytesOf(got.body)).toString()).toBe('new bytes');
        expect(got.mediaType).toBe('text/plain');
        expect(got.metadata).toEqual({});
      });

      it('copies unicode keys, as the backups under fennflow/tmp/ do', async () => {
        await putText('фото/ü 😀.txt', 'unicode');
        const backup =
          'fennflow/tmp/session_id_s1/operation_id_o1/фото/ü 😀.txt';
        await connector.copyObject(
          { namespace: ns, key: 'фото/ü 😀.txt' },
          { namespace: ns, key: backup },
        );
        const got = await connector.getObject(ns, backup);
        expect((await bytesOf(got.body)).toString()).toBe('unicode');
      });

      it('throws NoSuchKeyError for a missing source and writes nothing', async () => {
        await expect(
          connector.copyObject(
            { namespace: ns, key: 'nope' },
            { namespace: ns, key: 'target' },
          ),
        ).rejects.toBeInstanceOf(NoSuchKeyError);
        await expect(connector.headObject(ns, 'target')).resolves.toBeNull();
      });
    });

    describe('delete', () => {
      it('deletes the given keys, ignoring missing ones', async () => {
        await putText('d/1', '1');
        await putText('d/2', '2');
        await putText('keep', 'k');
        await connector.deleteObjects(ns, ['d/1', 'd/2', 'never-existed']);
        await connector.deleteObjects(ns, []);
        await expect(connector.headObject(ns, 'd/1')).resolves.toBeNull();
        await expect(connector.getObject(ns, 'd/2')).rejects.toBeInstanceOf(
          NoSuchKeyError,
        );
        const listing = await connector.listObjects(ns);
        expect(listing.objects.map((o) => o.key)).toEqual(['keep']);
      });

      it('lets a deleted folder key become a file key', async () => {
        await putText('x/y', 'deep');
        await connector.deleteObjects(ns, ['x/y']);
        await putText('x', 'flat');
        const got = await connector.getObject(ns, 'x');
        expect((await bytesOf(got.body)).toString()).toBe('flat');
      });
    });

    describe('list', () => {
      const baseKeys = ['a', 'ab', 'a-c', 'a0', 'b', 'ac/d', 'x/y/z', 'x-y'];
      const keys = () =>
        target.features.fileAndFolderKeys ? [...baseKeys, 'a/b'] : baseKeys;

      beforeEach(async () => {
        for (const key of keys()) await putText(key, key);
      });

      it('lists everything in code-point order with summaries', async () => {
        const page = await connector.listObjects(ns);
        expect(page.cursor).toBeNull();
        expect(page.objects.map((o) => o.key)).toEqual(
          [...keys()].sort(comparePaths),
        );
        const first = page.objects[0];
        expect(first).toMatchObject({
          key: 'a',
          size: 1,
          etag: md5(text('a')),
        });
        expect(first?.lastModified).toBeInstanceOf(Date);
      });

      it('pages with limit 1 through every key exactly once', async () => {
        const { keys: listed, pages } = await listAll(undefined, 1);
        expect(listed).toEqual([...keys()].sort(comparePaths));
        expect(pages).toBe(keys().length);
      });

      it('has no cursor on a page that ends exactly at the last key', async () => {
        const total = keys().length;
        const first = await connector.listObjects(ns, { limit: total - 2 });
        expect(first.cursor).not.toBeNull();
        const last = await connector.listObjects(ns, {
          limit: 2,
          cursor: first.cursor,
        });
        expect(last.objects).toHaveLength(2);
        expect(last.cursor).toBeNull();
        const exact = await connector.listObjects(ns, { limit: total });
        expect(exact.objects).toHaveLength(total);
        expect(exact.cursor).toBeNull();
      });

      it('treats prefixes as plain string prefixes', async () => {
        const expectedA = keys()
          .filter((k) => k.startsWith('a'))
          .sort(comparePaths);
        expect((await listAll('a', 2)).keys).toEqual(expectedA);
        expect((await listAll('ab', 10)).keys).toEqual(['ab']);
        expect((await listAll('x/', 10)).keys).toEqual(['x/y/z']);
        expect((await listAll('x', 1)).keys).toEqual(['x-y', 'x/y/z']);
        expect((await listAll('a/', 10)).keys).toEqual(
          target.features.fileAndFolderKeys ? ['a/b'] : [],
        );
        expect((await listAll('nothing', 10)).keys).toEqual([]);
      });

      it('lists an empty namespace as an empty last page', async () => {
        await expect(connector.listObjects(other)).resolves.toEqual({
          objects: [],
          cursor: null,
        });
      });

      it('rejects a limit below 1', async () => {
        await expect(
          connector.listObjects(ns, { limit: 0 }),
        ).rejects.toBeInstanceOf(InvalidArgumentError);
      });
    });

    describe('unicode and long keys', () => {
      it('orders astral characters by code point, not UTF-16 unit', async () => {
        const unicode = [
          'z',
          'é',
          '\uFFFD',
          '😀',
          'ü/ß.txt',
          '日本語/ファイル.txt',
        ];
        for (const key of unicode) await putText(key, key);
        const { keys: listed } = await listAll(undefined, 2);
        expect(listed).toEqual([...unicode].sort(comparePaths));
        expect(listed.indexOf('\uFFFD')).toBeLessThan(listed.indexOf('😀'));
        for (const key of unicode) {
          const got = await connector.getObject(ns, key);
          expect((await bytesOf(got.body)).toString()).toBe(key);
        }
      });

      it('stores 1024-byte keys', async () => {
        const segment = 'é'.repeat(80) + 'x'.repeat(40); // 200 bytes
        const key = [...Array(5).fill(segment), 'y'.repeat(19)].join('/');
        expect(Buffer.byteLength(key)).toBe(1024);
        connector.validateKey(ns, key);
        await putText(key, 'long');
        const got = await connector.getObject(ns, key);
        expect((await bytesOf(got.body)).toString()).toBe('long');
        expect(
          (await connector.listObjects(ns)).objects.map((o) => o.key),
        ).toEqual([key]);
        await connector.deleteObjects(ns, [key]);
        await expect(connector.headObject(ns, key)).resolves.toBeNull();
      });
    });

    describe('presigned URLs', () => {
      it('signs a fetchable GET URL, or refuses with ConnectorCapabilityError', async () => {
        await putText('signed.txt', 'signed bytes');
        if (!connector.canSignUrls) {
          await expect(
            connector.presignGetUrl(ns, 'signed.txt'),
          ).rejects.toBeInstanceOf(ConnectorCapabilityError);
          return;
        }
        const url = await connector.presignGetUrl(ns, 'signed.txt', {
          expiresIn: 60,
        });
        const response = await fetch(url);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('signed bytes');
      });
    });
  });
}
