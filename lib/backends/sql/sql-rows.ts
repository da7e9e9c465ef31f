import type { RecordUpdate } from '../../core/backend/fennflow-backend';
import { recordKeyOf } from '../../core/backend/file-record';
import type {
  FileRecord,
  OperationType,
  RecordStatus,
} from '../../core/backend/file-record';
import type {
  JournalEntry,
  JournalState,
  StorageRestore,
} from '../../core/backend/journal-entry';
import type {
  SessionRecord,
  SessionState,
} from '../../core/backend/session-record';
import {
  toBoolean,
  toDate,
  toJson,
  toNumberOrNull,
  toStringOrNull,
} from './sql-values';

/** A row as a driver returns it, columns in snake_case. */
export type SqlRow = Record<string, unknown>;

export const RECORD_COLUMNS = [
  'namespace',
  'path',
  'status',
  'session_id',
  'operation_id',
  'operation',
  'locked_by',
  'size',
  'media_type',
  'etag',
  'metadata',
  'created_at',
  'updated_at',
  'error',
] as const;

export const SESSION_COLUMNS = [
  'id',
  'state',
  'lease_expires_at',
  'created_at',
] as const;

export const JOURNAL_COLUMNS = [
  'session_id',
  'seq',
  'operation_id',
  'operation',
  'effect',
  'namespace',
  'path',
  'restore',
  'backup_path',
  'first_touch',
  'previous',
  'state',
  'error',
] as const;

export function recordFromRow(row: SqlRow, prefix = ''): FileRecord {
  const col = (name: string) => row[prefix + name];
  return {
    namespace: String(col('namespace')),
    path: String(col('path')),
    status: String(col('status')) as RecordStatus,
    sessionId: String(col('session_id')),
    operationId: String(col('operation_id')),
    operation: String(col('operation')) as OperationType,
    lockedBy: toStringOrNull(col('locked_by')),
    size: toNumberOrNull(col('size')),
    mediaType: toStringOrNull(col('media_type')),
    etag: toStringOrNull(col('etag')),
    metadata: { ...(toJson(col('metadata')) as Record<string, string>) },
    createdAt: toDate(col('created_at')),
    updatedAt: toDate(col('updated_at')),
    error: toStringOrNull(col('error')),
  };
}

export function sessionFromRow(row: SqlRow, prefix = ''): SessionRecord {
  const col = (name: string) => row[prefix + name];
  return {
    id: String(col('id')),
    state: String(col('state')) as SessionState,
    leaseExpiresAt: toDate(col('lease_expires_at')),
    createdAt: toDate(col('created_at')),
  };
}

export function journalFromRow(row: SqlRow): JournalEntry {
  const previous = toJson(row.previous) as EncodedSnapshot | null;
  return {
    sessionId: String(row.session_id),
    seq: Number(row.seq),
    operationId: String(row.operation_id),
    operation: String(row.operation) as OperationType,
    effect: String(row.effect) as JournalEntry['effect'],
    namespace: String(row.namespace),
    path: String(row.path),
    restore: String(row.restore) as StorageRestore,
    backupPath: toStringOrNull(row.backup_path),
    firstTouch: toBoolean(row.first_touch),
    previous: previous ? snapshotFromJson(previous) : null,
    state: String(row.state) as JournalState,
    error: toStringOrNull(row.error),
  };
}

/** A FileRecord inside a journal entry, once through JSON: its dates became strings. */
type EncodedSnapshot = Omit<FileRecord, 'createdAt' | 'updatedAt'> & {
  readonly createdAt: string;
  readonly updatedAt: string;
};

function snapshotFromJson(snapshot: EncodedSnapshot): FileRecord {
  return {
    namespace: snapshot.namespace,
    path: snapshot.path,
    status: snapshot.status,
    sessionId: snapshot.sessionId,
    operationId: snapshot.operationId,
    operation: snapshot.operation,
    lockedBy: snapshot.lockedBy,
    size: snapshot.size,
    mediaType: snapshot.mediaType,
    etag: snapshot.etag,
    metadata: { ...snapshot.metadata },
    createdAt: new Date(snapshot.createdAt),
    updatedAt: new Date(snapshot.updatedAt),
    error: snapshot.error,
  };
}

/** Column values of a record row, for multi-row statements fed from one JSON parameter. */
export function recordColumns(record: FileRecord) {
  return {
    namespace: record.namespace,
    path: record.path,
    status: record.status,
    session_id: record.sessionId,
    operation_id: record.operationId,
    operation: record.operation,
    locked_by: record.lockedBy,
    size: record.size,
    media_type: record.mediaType,
    etag: record.etag,
    metadata: record.metadata,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    error: record.error,
  };
}

export function journalColumns(entry: JournalEntry, ord: number) {
  return {
    ord,
    session_id: entry.sessionId,
    seq: entry.seq,
    operation_id: entry.operationId,
    operation: entry.operation,
    effect: entry.effect,
    namespace: entry.namespace,
    path: entry.path,
    restore: entry.restore,
    backup_path: entry.backupPath,
    first_touch: entry.firstTouch,
    previous: entry.previous,
    state: entry.state,
    error: entry.error,
  };
}

/** One row per key, the last one winning, as successive writes to a map would leave it. */
export function lastPerKey(records: readonly FileRecord[]): FileRecord[] {
  const byKey = new Map<string, FileRecord>();
  for (const record of records) {
    const key = recordKeyOf(record);
    byKey.delete(key);
    byKey.set(key, record);
  }
  return [...byKey.values()];
}

/** Folds updates of one key into one, later fields winning, so one statement can apply them. */
export function mergeUpdates(updates: readonly RecordUpdate[]) {
  const byKey = new Map<
    string,
    {
      namespace: string;
      path: string;
      has_size: boolean;
      size: number | null;
      has_etag: boolean;
      etag: string | null;
    }
  >();
  for (const update of updates) {
    const key = recordKeyOf(update);
    const merged = byKey.get(key) ?? {
      namespace: update.namespace,
      path: update.path,
      has_size: false,
      size: null,
      has_etag: false,
      etag: null,
    };
    if (update.size !== undefined) {
      merged.has_size = true;
      merged.size = update.size;
    }
    if (update.etag !== undefined) {
      merged.has_etag = true;
      merged.etag = update.etag;
    }
    byKey.set(key, merged);
  }
  return [...byKey.values()];
}

/** Last error message per operation id, as a map built from the list would keep. */
export function lastErrorPerOperation(
  steps: ReadonlyArray<{
    readonly operationId: string;
    readonly error: string;
  }>,
) {
  const byId = new Map<string, string>();
  for (const step of steps) byId.set(step.operationId, step.error);
  return [...byId].map(([operation_id, error]) => ({ operation_id, error }));
}
