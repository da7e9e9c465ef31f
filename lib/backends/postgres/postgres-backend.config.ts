import type {
  BackendConfig,
  FennFlowBackend,
} from '../../core/backend/fennflow-backend';
import type { PostgresPoolLike } from './postgres-pool';
import { PostgresBackend } from './postgres.backend';

interface PostgresCommonOptions {
  /** Schema of the tables, created if missing; default `public`. */
  readonly schema?: string;
  /**
   * Name of the records table; the others are derived from it (`<table>_sessions`,
   * `<table>_journal`, `<table>_schema_version`). Default `fennflow_records`.
   */
  readonly table?: string;
  /** Label that isolates one set of metadata; several scopes can share the tables. */
  readonly scope?: string;
}

export type PostgresBackendOptions = PostgresCommonOptions &
  (
    | {
        /** The backend creates a `pg` pool for it, and ends it on close. */
        readonly connectionString: string;
        readonly pool?: undefined;
      }
    | {
        /** A pool you own (`new pg.Pool(...)`); it is not ended when the backend closes. */
        readonly pool: PostgresPoolLike;
        readonly connectionString?: undefined;
      }
  );

/**
 * Metadata in PostgreSQL (`pg`, an optional peer dependency): the backend to use when several
 * app instances share one storage.
 */
export class PostgresBackendConfig implements BackendConfig {
  readonly kind = 'postgres';
  readonly scope: string;

  constructor(readonly options: PostgresBackendOptions) {
    this.scope = options.scope ?? 'default';
  }

  async create(): Promise<FennFlowBackend> {
    return new PostgresBackend({ ...this.options, scope: this.scope });
  }
}
