import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FennFlowConnector,
  FileSystemConnectorConfig,
  InMemoryBackend,
  InMemoryConnector,
  S3ConnectorConfig,
  UnitOfWorkFactory,
} from 'fennflow-nestjs';
import type { S3ConnectorOptions } from 'fennflow-nestjs';
import { silentLogger } from 'fennflow-nestjs';
import { FaultyConnector } from './faulty.connector';
import {
  inMemoryFixture,
  storedKeys,
  TestUnitOfWork,
} from './in-memory-fixture';
import type { Fixture } from './in-memory-fixture';
import { startS3rver } from './s3rver';
import type { RunningS3rver } from './s3rver';

/** The namespaces of TestUnitOfWork: folders on the filesystem, buckets on S3. */
export const FIXTURE_NAMESPACES = ['docs', 'media'] as const;

export interface FixtureOptions {
  readonly leaseMs?: number;
}

/** A Fixture on some connector, with what it set up for itself released by `dispose()`. */
export interface ConnectorFixture extends Fixture {
  dispose(): Promise<void>;
}

/**
 * Makes fresh fixtures on one kind of connector: an empty in-memory backend each time, and empty
 * storage seen through a new FaultyConnector around the real connector.
 */
export interface FixtureSource {
  /** `in-memory`, `filesystem` or `s3`. */
  readonly name: string;
  fixture(options?: FixtureOptions): Promise<ConnectorFixture>;
  /** Releases what fixtures share (the s3rver process); call it in afterAll. */
  close(): Promise<void>;
}

function fixtureOn(
  storage: FennFlowConnector,
  options: FixtureOptions,
  dispose: () => Promise<void>,
): ConnectorFixture {
  const scope = `test-${randomUUID()}`;
  const backend = new InMemoryBackend(scope);
  const connector = new FaultyConnector(storage);
  const factory = new UnitOfWorkFactory({
    backend,
    connector,
    unitOfWork: TestUnitOfWork,
    logger: silentLogger,
    leaseMs: options.leaseMs,
  });
  return {
    scope,
    backend,
    storage,
    connector,
    factory,
    dispose: async () => {
      InMemoryBackend.reset(scope);
      await dispose();
    },
  };
}

/** In-memory backend and connector: the fixture of the unit tests, disposable. */
export function inMemory(): FixtureSource {
  return {
    name: 'in-memory',
    fixture: async (options = {}) => {
      const fixture = inMemoryFixture(options);
      return {
        ...fixture,
        dispose: async () => {
          InMemoryBackend.reset(fixture.scope);
          InMemoryConnector.reset(fixture.scope);
        },
      };
    },
    close: async () => undefined,
  };
}

/** The filesystem connector on a fresh temp root per fixture, removed by `dispose()`. */
export function filesystem(): FixtureSource {
  return {
    name: 'filesystem',
    fixture: async (options = {}) => {
      const root = await mkdtemp(join(tmpdir(), 'fennflow-saga-fs-'));
      const storage = await new FileSystemConnectorConfig({ root }).create();
      for (const ns of FIXTURE_NAMESPACES) await storage.ensureNamespace(ns);
      return fixtureOn(storage, options, () =>
        rm(root, { recursive: true, force: true }),
      );
    },
    close: async () => undefined,
  };
}

export interface S3FixtureSource extends FixtureSource {
  /** The running s3rver, started by the first fixture. */
  server(): Promise<RunningS3rver>;
}

/**
 * The S3 connector on one s3rver child process, started by the first fixture and stopped by
 * `close()`; buckets `docs` and `media` (createBuckets: true) are emptied for each fixture.
 * Fixtures share one connector (one client), so the If-None-Match probe runs once per bucket.
 */
export function s3(extra: Partial<S3ConnectorOptions> = {}): S3FixtureSource {
  let started: Promise<{ server: RunningS3rver; storage: FennFlowConnector }>;
  const start = () => {
    started ??= (async () => {
      const server = await startS3rver();
      const storage = await new S3ConnectorConfig({
        region: server.region,
        endpoint: server.endpoint,
        forcePathStyle: true,
        credentials: server.credentials,
        createBuckets: true,
        ...extra,
      }).create();
      for (const ns of FIXTURE_NAMESPACES) await storage.ensureNamespace(ns);
      return { server, storage };
    })();
    return started;
  };
  return {
    name: 's3',
    server: async () => (await start()).server,
    fixture: async (options = {}) => {
      const { storage } = await start();
      for (const ns of FIXTURE_NAMESPACES) await emptyNamespace(storage, ns);
      return fixtureOn(storage, options, async () => undefined);
    },
    close: async () => {
      if (!started) return;
      const { server, storage } = await started;
      await storage.close();
      await server.stop();
    },
  };
}

async function emptyNamespace(
  storage: FennFlowConnector,
  namespace: string,
): Promise<void> {
  const keys = await storedKeys(storage, namespace);
  if (keys.length > 0) await storage.deleteObjects(namespace, keys);
}
