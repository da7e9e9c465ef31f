import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FennFlowConnector,
  FileSystemConnector,
  InMemoryConnector,
  S3ConnectorConfig,
} from 'fennflow-nestjs';
import { storedKeys } from '../../support/in-memory-fixture';
import { startS3rver } from '../../support/s3rver';
import type { RunningS3rver } from '../../support/s3rver';

const HOUR = 60 * 60 * 1000;
const plain = { mediaType: 'text/plain', metadata: {} };

/** Writes a file as a process killed mid-write leaves it, modified `ageMs` ago. */
async function plantTempFile(path: string, ageMs: number): Promise<string> {
  await writeFile(path, 'half-written');
  const when = new Date(Date.now() - ageMs);
  await utimes(path, when, when);
  return path;
}

describe('removeAbandonedUploads on the filesystem connector', () => {
  let root: string;
  let connector: FileSystemConnector;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'fennflow-abandoned-'));
    connector = new FileSystemConnector(root);
    await connector.ensureNamespace('docs');
    await connector.ensureNamespace('media');
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  it('removes temp files older than the cut-off, in data and sidecar trees, and keeps fresh ones and objects', async () => {
    await connector.putObject('docs', 'a.txt', Buffer.from('a'), plain);
    await connector.putObject('docs', 'deep/b.txt', Buffer.from('b'), plain);
    const old = new Date(Date.now() - 2 * HOUR);
    await utimes(join(root, 'docs/a.txt'), old, old); // an old object is not garbage
    await mkdir(join(root, 'docs/lost/folder'), { recursive: true });
    const stale = [
      await plantTempFile(join(root, 'docs/.fennflow-tmp-1'), 2 * HOUR),
      await plantTempFile(
        join(root, 'docs/lost/folder/.fennflow-tmp-2'),
        2 * HOUR,
      ),
      await plantTempFile(
        join(root, '.fennflow-meta/docs/deep/.fennflow-tmp-3'),
        2 * HOUR,
      ),
    ];
    const fresh = await plantTempFile(
      join(root, 'docs/deep/.fennflow-tmp-4'),
      0,
    );
    const otherNamespace = await plantTempFile(
      join(root, 'media/.fennflow-tmp-5'),
      2 * HOUR,
    );
    const cutoff = new Date(Date.now() - HOUR);

    expect(
      await connector.removeAbandonedUploads('docs', cutoff, { dryRun: true }),
    ).toBe(3);
    for (const path of stale) expect(existsSync(path)).toBe(true);

    expect(await connector.removeAbandonedUploads('docs', cutoff)).toBe(3);
    for (const path of stale) expect(existsSync(path)).toBe(false);
    expect(existsSync(join(root, 'docs/lost'))).toBe(false); // emptied folders pruned
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(otherNamespace)).toBe(true);
    expect(await storedKeys(connector, 'docs')).toEqual([
      'a.txt',
      'deep/b.txt',
    ]);
    expect((await connector.getObject('docs', 'deep/b.txt')).mediaType).toBe(
      'text/plain',
    );
    expect(await connector.removeAbandonedUploads('docs', cutoff)).toBe(0);
  });

  it('returns 0 for a namespace folder that does not exist yet', async () => {
    expect(await connector.removeAbandonedUploads('fresh', new Date())).toBe(0);
  });
});

describe('removeAbandonedUploads on S3 (s3rver) and in memory', () => {
  let server: RunningS3rver;
  let s3: FennFlowConnector;

  beforeAll(async () => {
    server = await startS3rver();
    s3 = await new S3ConnectorConfig({
      region: server.region,
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: server.credentials,
      createBuckets: true,
    }).create();
    await s3.ensureNamespace('docs');
  });

  afterAll(async () => {
    await s3.close();
    await server.stop();
  });

  it('S3 returns 0 on s3rver, which answers ListMultipartUploads with 501', async () => {
    await server.takeRequests();
    expect(await s3.removeAbandonedUploads('docs', new Date())).toBe(0);
    expect(await server.takeRequests()).toEqual([
      expect.stringMatching(/^GET \/docs\/?\?uploads\S* 501$/),
    ]);
  });

  it('the in-memory connector has none (the default)', async () => {
    expect(
      await new InMemoryConnector('abandoned').removeAbandonedUploads(
        'docs',
        new Date(),
      ),
    ).toBe(0);
  });
});
