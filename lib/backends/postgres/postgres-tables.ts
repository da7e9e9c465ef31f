import { ConfigurationError } from '../../core/errors/fennflow.errors';

/** Quoted, schema-qualified names of the backend's tables. */
export interface PostgresTables {
  readonly schema: string;
  readonly records: string;
  readonly sessions: string;
  readonly journal: string;
  readonly version: string;
  /** Unquoted `schema.table`, for lock keys and messages. */
  readonly label: string;
  /** Quoted index name derived from the records table. */
  index(suffix: string): string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Postgres truncates identifiers at 63 bytes; the longest derived name adds '_schema_version'.
const MAX_TABLE_LENGTH = 63 - '_schema_version'.length;

/** `table` names the records table; sessions, journal and version tables are derived from it. */
export function postgresTables(schema: string, table: string): PostgresTables {
  if (!IDENTIFIER.test(schema) || schema.length > 63) {
    throw new ConfigurationError(
      `PostgresBackendConfig: schema ${JSON.stringify(schema)} must be a plain identifier (letters, digits, '_', at most 63 characters).`,
    );
  }
  if (!IDENTIFIER.test(table) || table.length > MAX_TABLE_LENGTH) {
    throw new ConfigurationError(
      `PostgresBackendConfig: table ${JSON.stringify(table)} must be a plain identifier (letters, digits, '_', at most ${MAX_TABLE_LENGTH} characters).`,
    );
  }
  const name = (suffix: string) => `"${schema}"."${table}${suffix}"`;
  return {
    schema: `"${schema}"`,
    records: name(''),
    sessions: name('_sessions'),
    journal: name('_journal'),
    version: name('_schema_version'),
    label: `${schema}.${table}`,
    index: (suffix) => `"${table}_${suffix}"`,
  };
}
