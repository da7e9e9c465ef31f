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
export * from './nest';
