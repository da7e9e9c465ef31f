import { createHash } from 'node:crypto';
import {
  mkdtemp,
  readdir,
  rm,
  writeFile,
  chmod,
  mkdir,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import {
  ConfigurationError,
  InvalidNamespaceError,
  InvalidPathError,
  NoSuchKeyError,
  ObjectAlreadyExistsError,
  StorageError,
} from '../../../lib';
import { FileSystemConnector } from '../../../lib/connectors/filesystem/filesystem.connector';
import { FileSystemConnectorConfig } from '../../../lib/connectors/filesystem/filesystem-connector.config';
import {
  describeConnectorConformance,
  failingStream,
  generatedStream,
} from './connector-conformance';

async function freshRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'fennflow-fs-'));
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, {
    recursive: true,
    withFileTypes: true,
  });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(folder, join(e.parentPath, e.name)))
    .sort();
}

async function textOf(stream: Readable): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

describeConnectorConformance('filesystem', async () => {
  const root = await freshRoot();
  return {
    connector: await new FileSystemConnectorConfig({ root }).create(),
    features: { fileAndFolderKeys: false },
    teardown: () => rm(root, { recursive: true, force: true }),
  };
});

describe('filesystem connector', () => {
  let root: string;
  let connector: FileSystemConnector;
  const ns = 'files';
  const plain = { mediaType: 'text/plain', metadata: {} };

  beforeEach(async () => {
    root = await freshRoot();
    connector = (await new FileSystemConnectorConfig({
      root,
    }).create()) as FileSystemConnector;
    await connector.ensureNamespace(ns);
  });

  afterEach(async () => {
    await chmod(join(root, ns), 0o755).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  it('keeps objects under <root>/<namespace>/<key> and sidecars in a hidden tree', async () => {
    await connector.putObject(ns, 'a/b.txt', Buffer.from('x'), plain);
    expect(await filesUnder(root)).toEqual([
      join('.fennflow-meta', ns, 'a', 'b.txt'),
      join(ns, 'a', 'b.txt'),
    ]);
  });

  describe('hostile keys', () => {
    const hostile = [
      '../escape',
      '../../etc/passwd',
      'a/../../escape',
      'a/./b',
      '..',
      '.',
      '/abs',
      'a//b',
      'a/',
      'nul\0byte',
      'line\nbreak',
      '',
      'x/.fennflow-tmp-1234',
    ];

    it.each(hostile)('refuses %j before any I/O', async (key) => {
      expect(() => connector.validateKey(ns, key)).toThrow(InvalidPathError);
      await expect(
        connector.putObject(ns, key, Buffer.from('evil'), plain),
      ).rejects.toBeInstanceOf(InvalidPathError);
      await expect(connector.getObject(ns, key)).rejects.toBeInstanceOf(
        InvalidPathError,
      );
      await expect(connector.headObject(ns, key)).rejects.toBeInstanceOf(
        InvalidPathError,
      );
      await expect(connector.deleteObjects(ns, [key])).rejects.toBeInstanceOf(
        InvalidPathError,
      );
      await expect(
        connector.copyObject(
          { namespace: ns, key },
          { namespace: ns, key: 'safe' },
        ),
      ).rejects.toBeInstanceOf(InvalidPathError);
      await expect(
        connector.copyObject(
          { namespace: ns, key: 'safe' },
          { namespace: ns, key },
        ),
      ).rejects.toBeInstanceOf(InvalidPathError);
    });

    it('never writes outside the root', async () => {
      const outside = await freshRoot();
      try {
        for (const key of hostile) {
          await connector
            .putObject(ns, key, Buffer.from('evil'), plain)
            .catch(() => undefined);
        }
        expect(await filesUnder(root)).toEqual([]);
        expect(await readdir(outside)).toEqual([]);
      } finally {
        await rm(outside, { recursive: true });
      }
    });

    it('refuses hostile namespaces', async () => {
      for (const namespace of ['..', '../x', '.fennflow-meta', 'a/b', 'UP']) {
        await expect(
          connector.putObject(namespace, 'k', Buffer.from('x'), plain),
        ).rejects.toBeInstanceOf(InvalidNamespaceError);
        await expect(
          connector.ensureNamespace(namespace),
        ).rejects.toBeInstanceOf(InvalidNamespaceError);
      }
    });

    it('refuses a segment longer than 255 bytes', () => {
      expect(() => connector.validateKey(ns, `a/${'é'.repeat(128)}`)).toThrow(
        /255 bytes/,
      );
      expect(() =>
        connector.validateKey(ns, `a/${'x'.repeat(255)}`),
      ).not.toThrow();
    });
  });

  describe('atomic writes', () => {
    it('leaves no half-written object when the stream fails midway', async () => {
      await connector.putObject(ns, 'doc.bin', Buffer.from('previous'), plain);
      const boom = new Error('disk source failed');
      await expect(
        connector.putObject(
          ns,
          'doc.bin',
          failingStream(64 * 1024, boom),
          plain,
        ),
      ).rejects.toMatchObject({ cause: boom });
      await expect(
        connector.putObject(
          ns,
          'fresh.bin',
          failingStream(64 * 1024, boom),
          plain,
        ),
      ).rejects.toBeInstanceOf(StorageError);
      const got = await connector.getObject(ns, 'doc.bin');
      expect(await textOf(got.body)).toBe('previous');
      await expect(connector.headObject(ns, 'fresh.bin')).resolves.toBeNull();
      expect(await filesUnder(join(root, ns))).toEqual(['doc.bin']);
    });

    it('never lists temp files, even ones left by a crash', async () => {
      await connector.putObject(ns, 'dir/real', Buffer.from('r'), plain);
      await writeFile(
        join(root, ns, 'dir', '.fennflow-tmp-crashed'),
        'partial',
      );
      await writeFile(join(root, ns, '.fennflow-tmp-crashed'), 'partial');
      const listing = await connector.listObjects(ns);
      expect(listing.objects.map((o) => o.key)).toEqual(['dir/real']);
      await expect(
        connector.headObject(ns, 'dir/.fennflow-tmp-crashed'),
      ).rejects.toBeInstanceOf(InvalidPathError);
    });

    it('creates with ifNoneMatch atomically: one of many concurrent creates wins', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          connector.putObject(ns, 'race', Buffer.from(`writer ${i}`), {
            ...plain,
            ifNoneMatch: true,
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(
          ObjectAlreadyExistsError,
        );
      }
      expect(await filesUnder(join(root, ns))).toEqual(['race']);
    });
  });

  describe('file and folder under one name', () => {
    it('refuses a key below an existing object', async () => {
      await connector.putObject(ns, 'a', Buffer.from('file'), plain);
      const error = await connector
        .putObject(ns, 'a/b', Buffer.from('x'), plain)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toMatch(/'a' is an object/);
      await expect(
        connector.putObject(ns, 'a/b/c', generatedStream(2, 10), plain),
      ).rejects.toThrow(/'a' is an object/);
      await expect(
        connector.copyObject(
          { namespace: ns, key: 'a' },
          { namespace: ns, key: 'a/x' },
        ),
      ).rejects.toThrow(/'a' is an object/);
    });

    it('refuses an object where a folder of keys exists', async () => {
      await connector.putObject(ns, 'a/b', Buffer.from('x'), plain);
      for (const ifNoneMatch of [false, true]) {
        await expect(
          connector.putObject(ns, 'a', Buffer.from('file'), {
            ...plain,
            ifNoneMatch,
          }),
        ).rejects.toThrow(/folder of other keys/);
      }
      const got = await connector.getObject(ns, 'a/b');
      expect(await textOf(got.body)).toBe('x');
    });
  });

  describe('sidecars', () => {
    it('ignores a sidecar that does not describe the file on disk', async () => {
      await connector.putObject(ns, 'k.txt', Buffer.from('one'), {
        mediaType: 'text/plain',
        metadata: { a: '1' },
      });
      // As after a crash between the data rename and the sidecar rename.
      await writeFile(join(root, ns, 'k.txt'), 'replaced by hand');
      const head = await connector.headObject(ns, 'k.txt');
      expect(head).toMatchObject({
        mediaType: 'application/octet-stream',
        metadata: {},
        size: 16,
      });
      expect(head?.etag).toBe(
        createHash('md5').update('replaced by hand').digest('hex'),
      );
    });

    it('removes sidecars and empty folders on delete', async () => {
      await connector.putObject(ns, 'deep/er/k', Buffer.from('x'), plain);
      await connector.deleteObjects(ns, ['deep/er/k']);
      expect(await filesUnder(root)).toEqual([]);
      expect(await readdir(join(root, ns))).toEqual([]);
    });
  });

  describe('errors', () => {
    it('maps a missing key to NoSuchKeyError with the namespace and key', async () => {
      await expect(connector.getObject(ns, 'no/such')).rejects.toMatchObject({
        constructor: NoSuchKeyError,
        namespace: ns,
        key: 'no/such',
      });
    });

    it('reports a root that is a file as StorageError', async () => {
      const file = join(root, 'plain-file');
      await writeFile(file, 'x');
      const broken = await new FileSystemConnectorConfig({
        root: file,
      }).create();
      await expect(broken.ensureNamespace('space')).rejects.toBeInstanceOf(
        StorageError,
      );
      const error = await broken
        .putObject('space', 'k', Buffer.from('x'), plain)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).cause).toMatchObject({ code: 'ENOTDIR' });
    });

    it('refuses an empty root at configuration time', () => {
      expect(() => new FileSystemConnectorConfig({ root: '' })).toThrow(
        ConfigurationError,
      );
    });
  });

  it('creates the namespace folder in ensureNamespace', async () => {
    await connector.ensureNamespace('another-space');
    await mkdir(join(root, 'another-space'), { recursive: true });
    expect((await readdir(root)).sort()).toEqual([ns, 'another-space'].sort());
  });
});
