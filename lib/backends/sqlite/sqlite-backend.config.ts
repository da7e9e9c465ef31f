import type {
  BackendConfig,
  FennFlowBackend,
} from '../../core/backend/fennflow-backend';
import { SqliteBackend } from './sqlite.backend';

export interface SqliteBackendOptions {
  /** Database file; created with its schema when missing. */
  readonly filename: string;
  /** Label that isolates one set of metadata; several scopes can share one file. */
  readonly scope?: string;
  /** How long a write waits for another process's transaction on the same file; default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

/** Embedded, durable metadata in one SQLite file (better-sqlite3 12, an optional peer dependency). */
export class SqliteBackendConfig implements BackendConfig {
  readonly kind = 'sqlite';
  readonly scope: string;

  constructor(readonly options: SqliteBackendOptions) {
    this.scope = options.scope ?? 'default';
  }

  async create(): Promise<FennFlowBackend> {
    return new SqliteBackend({ ...this.options, scope: this.scope });
  }
}
