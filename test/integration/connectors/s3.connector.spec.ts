import {
  CreateBucketCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ConfigurationError, NoSuchKeyError, StorageError } from '../../../lib';
import { S3Connector } from '../../../lib/connectors/s3/s3.connector';
import { S3ConnectorConfig } from '../../../lib/connectors/s3/s3-connector.config';
import { loadS3Sdk } from '../../../lib/connectors/s3/s3-sdk';
import { RunningS3rver, startS3rver } from '../../support/s3rver';
import {
  describeConnectorConformance,
  failingStream,
  generatedBytes,
  generatedStream,
} from './connector-conformance';

const MiB = 1024 * 1024;

function configFor(server: RunningS3rver, extra: object = {}) {
  return new S3ConnectorConfig({
    region: server.region,
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
    createBuckets: true,
    ...extra,
  });
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describeConnectorConformance('s3 (s3rver)', async () => {
  const server = await startS3rver();
  return {
    connector: await configFor(server).create(),
    features: { fileAndFolderKeys: true },
    teardown: () => server.stop(),
  };
});

describe('s3 connector', () => {
  let server: RunningS3rver;
  let connector: S3Connector;
  const bucket = 'fennflow-s3-spec';
  const plain = { mediaType: 'application/octet-stream', metadata: {} };

  beforeAll(async () => {
    server = await startS3rver();
    connector = (await configFor(server, {
      partSize: 5 * MiB,
    }).create()) as S3Connector;
    await connector.ensureNamespace(bucket);
  });

  afterAll(async () => {
    await connector?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    await server.takeRequests();
  });

  it('detects that s3rver ignores If-None-Match and checks with HEAD first', async () => {
    await connector.putObject(bucket, 'probe-me', Buffer.from('1'), plain);
    await expect(
      connector.putObject(bucket, 'probe-me', Buffer.from('2'), {
        ...plain,
        ifNoneMatch: true,
      }),
    ).rejects.toMatchObject({ code: 'E_FENNFLOW_OBJECT_ALREADY_EXISTS' });
    const requests = await server.takeRequests();
    expect(requests.some((r) => r.includes('if-none-match-probe-'))).toBe(true);
    expect(
      requests.filter((r) => r.startsWith('HEAD /fennflow-s3-spec/probe-me')),
    ).toHaveLength(1);
    const listing = await connector.listObjects(bucket, {
      prefix: 'fennflow/tmp/',
    });
    expect(listing.objects).toEqual([]);
  });

  it('uploads a stream larger than one part as a multipart upload', async () => {
    const put = await connector.putObject(
      bucket,
      'big/twelve.bin',
      generatedStream(12, MiB),
      { mediaType: 'application/x-test', metadata: { parts: 'many' } },
    );
    expect(put.size).toBe(12 * MiB);
    const requests = await server.takeRequests();
    expect(requests.filter((r) => /partNumber=\d+/.test(r))).toHaveLength(3);
    expect(
      requests.some((r) => r.startsWith('POST') && r.includes('uploads')),
    ).toBe(true);
    const got = await connector.getObject(bucket, 'big/twelve.bin');
    expect(got.mediaType).toBe('application/x-test');
    expect(got.metadata).toEqual({ parts: 'many' });
    expect((await bytesOf(got.body)).equals(generatedBytes(12, MiB))).toBe(
      true,
    );
  });

  it('aborts the multipart upload when the stream fails, leaving no object', async () => {
    const boom = new Error('camera unplugged');
    const stream = Readable.from(
      (async function* () {
        for (let i = 0; i < 7; i++) yield Buffer.alloc(MiB, i);
        throw boom;
      })(),
    );
    await expect(
      connector.putObject(bucket, 'broken/upload.bin', stream, plain),
    ).rejects.toMatchObject({ constructor: StorageError, cause: boom });
    const requests = await server.takeRequests();
    expect(
      requests.some((r) => r.startsWith('DELETE') && r.includes('uploadId=')),
    ).toBe(true);
    await expect(
      connector.headObject(bucket, 'broken/upload.bin'),
    ).resolves.toBeNull();
    // s3rver does not implement ListMultipartUploads; its upload folder must be empty instead.
    const uploads = await readdir(
      join(server.directory, bucket, '._S3rver_uploads'),
    ).catch(() => []);
    expect(uploads).toEqual([]);
  });

  it('fails cleanly when a small stream errors before a part is full', async () => {
    const boom = new Error('early');
    await expect(
      connector.putObject(
        bucket,
        'broken/small.bin',
        failingStream(1000, boom),
        plain,
      ),
    ).rejects.toMatchObject({ cause: boom });
    await expect(
      connector.headObject(bucket, 'broken/small.bin'),
    ).resolves.toBeNull();
  });

  it('deletes more than 1000 keys in batches of 1000', async () => {
    const keys = Array.from(
      { length: 1005 },
      (_, i) => `many/${String(i).padStart(4, '0')}`,
    );
    await Promise.all(
      keys
        .slice(0, 20)
        .map((key) =>
          connector.putObject(bucket, key, Buffer.from(key), plain),
        ),
    );
    await server.takeRequests();
    await connector.deleteObjects(bucket, keys);
    const deletes = (await server.takeRequests()).filter((r) =>
      r.includes('?delete'),
    );
    // s3rver sometimes answers a batch 500 (it prunes folders concurrently); the SDK retries.
    expect(deletes.filter((r) => r.endsWith(' 200'))).toHaveLength(2);
    expect(
      (await connector.listObjects(bucket, { prefix: 'many/' })).objects,
    ).toEqual([]);
  });

  it('signs URLs that serve the bytes, with the default expiry of 900 s', async () => {
    await connector.putObject(
      bucket,
      'signed/ü 😀.txt',
      Buffer.from('presigned'),
      {
        mediaType: 'text/plain',
        metadata: {},
      },
    );
    const url = await connector.presignGetUrl(bucket, 'signed/ü 😀.txt');
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('900');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('presigned');
    await expect(
      connector.presignGetUrl(bucket, 'x', { expiresIn: 0 }),
    ).rejects.toMatchObject({ code: 'E_FENNFLOW_INVALID_ARGUMENT' });
  });

  it('fails ensureNamespace clearly for a missing bucket unless createBuckets is set', async () => {
    const strict = await configFor(server, { createBuckets: false }).create();
    try {
      await expect(strict.ensureNamespace('no-such-bucket')).rejects.toThrow(
        ConfigurationError,
      );
      await expect(strict.ensureNamespace('no-such-bucket')).rejects.toThrow(
        /createBuckets: true/,
      );
      await connector.ensureNamespace('made-on-demand');
      await expect(
        strict.ensureNamespace('made-on-demand'),
      ).resolves.toBeUndefined();
    } finally {
      await strict.close();
    }
  });

  it('maps wrong credentials to StorageError with the SDK error as cause', async () => {
    const wrong = await configFor(server, {
      credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'wrong' },
      clientConfig: { maxAttempts: 1 },
    }).create();
    try {
      const error = await wrong
        .putObject(bucket, 'k', Buffer.from('x'), plain)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).message).toMatch(/Access was denied|403/);
      expect((error as StorageError).cause).toMatchObject({
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      await wrong.close();
    }
  });

  it('maps a missing key on a missing bucket apart from a missing key', async () => {
    await expect(connector.getObject(bucket, 'nothing')).rejects.toBeInstanceOf(
      NoSuchKeyError,
    );
    await expect(
      connector.getObject('no-bucket-here', 'k'),
    ).rejects.toBeInstanceOf(StorageError);
  });

  it('never destroys a client it was handed', async () => {
    const client = new S3Client({
      region: server.region,
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: server.credentials,
    });
    const destroy = jest.spyOn(client, 'destroy');
    const own = await new S3ConnectorConfig({
      region: 'us-east-1',
      client,
    }).create();
    await own.close();
    expect(destroy).not.toHaveBeenCalled();
    await expect(
      client.send(new HeadBucketCommand({ Bucket: bucket })),
    ).resolves.toBeDefined();
    client.destroy();

    const owned = (await configFor(server).create()) as S3Connector;
    const destroyOwned = jest.spyOn(owned.client, 'destroy');
    await owned.close();
    expect(destroyOwned).toHaveBeenCalledTimes(1);
  });

  it('lists with the cursor as StartAfter, so cursors are the last key returned', async () => {
    const client = (connector as S3Connector).client;
    await client.send(new CreateBucketCommand({ Bucket: 'cursor-bucket' }));
    for (const key of ['k1', 'k2', 'k3']) {
      await connector.putObject('cursor-bucket', key, Buffer.from(key), plain);
    }
    const page = await connector.listObjects('cursor-bucket', { limit: 2 });
    expect(page.cursor).toBe('k2');
    const raw = await client.send(
      new ListObjectsV2Command({ Bucket: 'cursor-bucket', StartAfter: 'k2' }),
    );
    expect(raw.Contents?.map((c) => c.Key)).toEqual(['k3']);
  });
});

describe('S3 connector configuration', () => {
  it('names every missing AWS SDK package in one ConfigurationError', () => {
    const absent = (name: string) => {
      if (name === '@aws-sdk/client-s3') return {};
      throw Object.assign(new Error(`Cannot find module '${name}'`), {
        code: 'MODULE_NOT_FOUND',
      });
    };
    expect(() => loadS3Sdk(absent)).toThrow(ConfigurationError);
    expect(() => loadS3Sdk(absent)).toThrow(
      'npm i @aws-sdk/lib-storage @aws-sdk/s3-request-presigner',
    );
  });

  it('refuses a config without region or client, a bad endpoint or a small part size', () => {
    expect(() => new S3ConnectorConfig({ region: '' })).toThrow(
      ConfigurationError,
    );
    expect(
      () =>
        new S3ConnectorConfig({ region: 'us-east-1', endpoint: 'not a url' }),
    ).toThrow(ConfigurationError);
    expect(
      () => new S3ConnectorConfig({ region: 'us-east-1', partSize: 1024 }),
    ).toThrow(/5 MiB/);
  });
});
