import { createServer } from 'node:net';
import {
  FennFlowError,
  InMemoryBackend,
  InvalidNamespaceError,
  InvalidPathError,
  S3ConnectorConfig,
  StorageError,
  StreamContent,
  TextContent,
  UnitOfWorkFactory,
} from 'fennflow-nestjs';
import { silentLogger } from 'fennflow-nestjs';
import {
  filesystem,
  s3,
  type ConnectorFixture,
  type FixtureSource,
} from '../../support/connector-fixtures';
import { TestUnitOfWork } from '../../support/in-memory-fixture';
import { keyOf } from '../../support/saga-model';

const onS3 = s3();
const sources: readonly (readonly [FixtureSource, string])[] = [
  // Each segment is a file name on disk: 255 bytes at most.
  [filesystem(), `dir/${'x'.repeat(300)}.txt`],
  // S3 keys hold at most 1024 bytes.
  [onS3, `${'k'.repeat(200)}/`.repeat(6) + 'too-long.txt'],
];
afterAll(() => Promise.all(sources.map(([source]) => source.close())));

describe.each(
  sources.map(([source, key]) => [source.name, source, key] as const),
)('a key invalid for %s', (_name, source, badKey) => {
  let fixture: ConnectorFixture;

  beforeEach(async () => {
    fixture = await source.fixture();
    await fixture.factory.run((uow) =>
      uow.docs.create(TextContent.from('A0', { filename: 'a.txt' })),
    );
    fixture.connector.resetCalls();
    if (source === onS3) await (await onS3.server()).takeRequests();
  });

  afterEach(async () => {
    await fixture.dispose();
  });

  async function expectNoIo(): Promise<void> {
    expect(fixture.connector.calls).toEqual([]);
    if (source === onS3) {
      expect(await (await onS3.server()).takeRequests()).toEqual([]);
    }
    const rows = await fixture.backend.getRecords([
      { namespace: 'docs', path: badKey },
    ]);
    expect(rows.get(keyOf('docs', badKey))).toBeUndefined();
  }

  it('is refused with InvalidPathError before any I/O, and the unit of work goes on', async () => {
    const uow = await fixture.factory.begin();
    fixture.connector.resetCalls();
    const attempts: (() => Promise<unknown>)[] = [
      () => uow.docs.create(TextContent.from('x', { filename: badKey })),
      () => uow.docs.put(TextContent.from('x', { filename: badKey })),
      () =>
        uow.docs.put(
          StreamContent.from(
            (async function* () {
              yield Buffer.from('never read');
            })(),
            { filename: badKey },
          ),
        ),
      () => uow.docs.copy('a.txt', badKey),
      () => uow.docs.move('a.txt', badKey),
    ];
    for (const attempt of attempts) {
      await expect(attempt()).rejects.toBeInstanceOf(InvalidPathError);
    }
    await expectNoIo();
    await uow.docs.put(TextContent.from('A1', { filename: 'a.txt' }));
    await uow.commit();
    await uow.close();
    const [item] = await fixture.factory.run((reader) =>
      reader.docs.get('a.txt'),
    );
    expect(await item.content.text()).toBe('A1');
  });

  it('refuses a target bucket or folder name invalid for any connector before any I/O', async () => {
    const uow = await fixture.factory.begin();
    fixture.connector.resetCalls();
    await expect(
      uow.docs.copy('a.txt', 'a.txt', { toNamespace: 'Not_A_Bucket' }),
    ).rejects.toBeInstanceOf(InvalidNamespaceError);
    await expectNoIo();
    await uow.close();
  });
});

describe('an unreachable S3 endpoint', () => {
  let port: number;

  beforeAll(async () => {
    // A port that was just free and is now closed: connecting is refused.
    const server = createServer();
    port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      }),
    );
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function config() {
    return new S3ConnectorConfig({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      clientConfig: { maxAttempts: 1 },
    });
  }

  function expectSdkCause(error: unknown): void {
    expect(error).toBeInstanceOf(FennFlowError);
    expect(error).toBeInstanceOf(StorageError);
    const cause = (error as Error).cause as Error & { code?: string };
    expect(cause).toBeInstanceOf(Error);
    expect(cause).not.toBeInstanceOf(FennFlowError);
    expect(`${cause.code} ${cause.message}`).toMatch(/ECONNREFUSED/);
  }

  it('fails each connector call with a StorageError whose cause is the SDK error', async () => {
    const connector = await config().create();
    try {
      const calls: (() => Promise<unknown>)[] = [
        () => connector.ensureNamespace('docs'),
        () => connector.headObject('docs', 'k'),
        () => connector.getObject('docs', 'k'),
        () => connector.listObjects('docs'),
        () => connector.deleteObjects('docs', ['k']),
        () =>
          connector.copyObject(
            { namespace: 'docs', key: 'a' },
            { namespace: 'docs', key: 'b' },
          ),
        () =>
          connector.putObject('docs', 'k', Buffer.from('x'), {
            mediaType: 'text/plain',
            metadata: {},
          }),
      ];
      for (const call of calls) expectSdkCause(await call().catch((e) => e));
    } finally {
      await connector.close();
    }
  });

  it('surfaces through a unit of work as a FennFlowError with the SDK error as cause', async () => {
    const connector = await config().create();
    const scope = `unreachable-${port}`;
    const factory = new UnitOfWorkFactory({
      backend: new InMemoryBackend(scope),
      connector,
      unitOfWork: TestUnitOfWork,
      logger: silentLogger,
    });
    try {
      const uow = await factory.begin();
      const error: unknown = await uow.docs
        .create(TextContent.from('x', { filename: 'a.txt' }))
        .catch((e: unknown) => e);
      expectSdkCause(error);
      const closed: unknown = await uow.close().then(
        () => null,
        (e: unknown) => e,
      );
      if (closed !== null) expect(closed).toBeInstanceOf(FennFlowError);
    } finally {
      InMemoryBackend.reset(scope);
      await connector.close();
    }
  });
});
