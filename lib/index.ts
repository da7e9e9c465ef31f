export * from './core';
export { InMemoryBackend } from './backends/in-memory/in-memory.backend';
export { InMemoryBackendConfig } from './backends/in-memory/in-memory-backend.config';
export type { InMemoryBackendOptions } from './backends/in-memory/in-memory-backend.config';
export { InMemoryConnector } from './connectors/in-memory/in-memory.connector';
export { InMemoryConnectorConfig } from './connectors/in-memory/in-memory-connector.config';
export type { InMemoryConnectorOptions } from './connectors/in-memory/in-memory-connector.config';
export * from './nest';
