import { join } from 'node:path';
import {
  FileSystemConnectorConfig,
  InMemoryBackendConfig,
  InMemoryConnectorConfig,
  PostgresBackendConfig,
  S3ConnectorConfig,
  SqliteBackendConfig,
} from 'fennflow-nestjs';
import type { BackendConfig, ConnectorConfig } from 'fennflow-nestjs';

export interface StorageConfig {
  /** Where the metadata (the source of truth) lives. */
  readonly backend: BackendConfig;
  /** Where the bytes live. */
  readonly connector: ConnectorConfig;
}

/**
 * ───── Storage choice of the sample: the one place to change. ─────
 *
 * Default: SQLite metadata and files on disk under FENNFLOW_DATA_DIR (./sample-data), so data
 * survives a restart and no external service is needed.
 *
 * FENNFLOW_DATABASE_URL   postgres://… → PostgreSQL metadata instead of SQLite
 * FENNFLOW_S3_ENDPOINT    http://…     → an S3-compatible server instead of the disk, with
 *   FENNFLOW_S3_REGION (us-east-1), FENNFLOW_S3_ACCESS_KEY_ID, FENNFLOW_S3_SECRET_ACCESS_KEY;
 *   the buckets `avatars` and `profiles` are created if missing.
 * FENNFLOW_STORAGE=memory → everything in process memory (what the e2e tests use).
 */
export function storageConfig(
  env: NodeJS.ProcessEnv = process.env,
): StorageConfig {
  if (env.FENNFLOW_STORAGE === 'memory') {
    return {
      backend: new InMemoryBackendConfig(),
      connector: new InMemoryConnectorConfig(),
    };
  }
  const dataDir = env.FENNFLOW_DATA_DIR ?? join(process.cwd(), 'sample-data');
  const backend = env.FENNFLOW_DATABASE_URL
    ? new PostgresBackendConfig({ connectionString: env.FENNFLOW_DATABASE_URL })
    : new SqliteBackendConfig({ filename: join(dataDir, 'fennflow.db') });
  const connector = env.FENNFLOW_S3_ENDPOINT
    ? new S3ConnectorConfig({
        endpoint: env.FENNFLOW_S3_ENDPOINT,
        region: env.FENNFLOW_S3_REGION ?? 'us-east-1',
        forcePathStyle: true,
        createBuckets: true,
        credentials:
          env.FENNFLOW_S3_ACCESS_KEY_ID && env.FENNFLOW_S3_SECRET_ACCESS_KEY
            ? {
                accessKeyId: env.FENNFLOW_S3_ACCESS_KEY_ID,
                secretAccessKey: env.FENNFLOW_S3_SECRET_ACCESS_KEY,
              }
            : undefined,
      })
    : new FileSystemConnectorConfig({ root: join(dataDir, 'files') });
  return { backend, connector };
}
