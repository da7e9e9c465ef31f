export * from './core';
export { InMemoryBackend } from './backends/in-memory/in-memory.backend';
export { InMemoryBackendConfig } from './backends/in-memory/in-memory-backend.config';
export type { InMemoryBackendOptions } from './backends/in-memory/in-memory-backend.config';
export { SqliteBackend } from './backends/sqlite/sqlite.backend';
export { SqliteBackendConfig } from './backends/sqlite/sqlite-backend.config';
export type { SqliteBackendOptions } from './backends/sqlite/sqlite-backend.config';
export { PostgresBackend } from './backends/postgres/postgres.backend';
export { PostgresBackendConfig } from './backends/postgres/postgres-backend.config';
export type { PostgresBackendOptions } from './backends/postgres/postgres-backend.config';
export type {
  PostgresClientLike,
  PostgresPoolLike,
  PostgresQueryResult,
} from './backends/postgres/postgres-pool';
export { InMemoryConnector } from './connectors/in-memory/in-memory.connector';
export { InMemoryConnectorConfig } from './connectors/in-memory/in-memory-connector.config';
export type { InMemoryConnectorOptions } from './connectors/in-memory/in-memory-connector.config';
export {
  ReconcileConfig,
  RECONCILE_FREQUENCIES,
  RECONCILE_STRATEGIES,
} from './core/reconcile/reconcile.config';
export type {
  ReconcileFrequency,
  ReconcileOptions,
  ReconcileStrategy,
} from './core/reconcile/reconcile.config';
export { Reconciler } from './core/reconcile/reconciler';
export type {
  ReconcileRunOptions,
  ReconcilerOptions,
} from './core/reconcile/reconciler';
export { ReconcileScheduler } from './core/reconcile/reconcile-scheduler';
export { RECONCILER_SESSION_ID } from './core/reconcile/reconcile-batch';
export type {
  NamespaceReconcileReport,
  ReconcileProgress,
  ReconcileReport,
} from './core/reconcile/reconcile-report';
export {
  DEFAULT_GC_GRACE_MS,
  GarbageCollector,
} from './core/gc/garbage-collector';
export type {
  CollectOptions,
  GarbageCollectorOptions,
} from './core/gc/garbage-collector';
export type * from './core/gc/gc-report';
export * from './nest';
export { FileSystemConnector } from './connectors/filesystem/filesystem.connector';
export { FileSystemConnectorConfig } from './connectors/filesystem/filesystem-connector.config';
export type { FileSystemConnectorOptions } from './connectors/filesystem/filesystem-connector.config';
export { S3Connector } from './connectors/s3/s3.connector';
export type { S3ConditionalWrites } from './connectors/s3/s3.connector';
export { S3ConnectorConfig } from './connectors/s3/s3-connector.config';
export type { S3ConnectorOptions } from './connectors/s3/s3-connector.config';
