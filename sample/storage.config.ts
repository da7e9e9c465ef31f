import {
  ConfigurationError,
  InMemoryBackendConfig,
  InMemoryConnectorConfig,
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
 * FENNFLOW_BACKEND   in-memory (default)
 * FENNFLOW_CONNECTOR in-memory (default)
 */
export function storageConfig(
  env: NodeJS.ProcessEnv = process.env,
): StorageConfig {
  const backend = env.FENNFLOW_BACKEND ?? 'in-memory';
  const connector = env.FENNFLOW_CONNECTOR ?? 'in-memory';
  if (backend !== 'in-memory') {
    throw new ConfigurationError(
      `FENNFLOW_BACKEND='${backend}' is not supported by the sample; use 'in-memory'.`,
    );
  }
  if (connector !== 'in-memory') {
    throw new ConfigurationError(
      `FENNFLOW_CONNECTOR='${connector}' is not supported by the sample; use 'in-memory'.`,
    );
  }
  return {
    backend: new InMemoryBackendConfig(),
    connector: new InMemoryConnectorConfig(),
  };
}
