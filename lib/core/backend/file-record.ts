export type RecordStatus =
  'pending' | 'uploaded' | 'deleted' | 'failed' | 'compensation_failed';

export type OperationType = 'create' | 'put' | 'delete' | 'copy' | 'move';

/**
 * One row per (scope, namespace, path): the last known state of a file. While a session has
 * pending work on the path, `lockedBy` holds its id and nobody else may write or see it.
 */
export interface FileRecord {
  readonly namespace: string;
  readonly path: string;
  readonly status: RecordStatus;
  /** Session that last wrote the row. */
  readonly sessionId: string;
  readonly operationId: string;
  /** What the last operation did to this path; the source of a move is recorded as `delete`. */
  readonly operation: OperationType;
  readonly lockedBy: string | null;
  readonly size: number | null;
  readonly mediaType: string | null;
  readonly etag: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly error: string | null;
}

export interface RecordKey {
  readonly namespace: string;
  readonly path: string;
}

/** Map key for a (namespace, path) pair; NUL never occurs in a valid path. */
export function recordKeyOf(key: RecordKey): string {
  return `${key.namespace}\u0000${key.path}`;
}

/** Visibility rule (SPEC §5.2): committed files, plus the session's own pending writes. */
export function isVisibleTo(
  record: FileRecord | undefined | null,
  sessionId: string,
): boolean {
  if (!record) return false;
  if (record.status === 'uploaded')
    return record.lockedBy === null || record.lockedBy === sessionId;
  return (
    record.status === 'pending' &&
    record.lockedBy === sessionId &&
    record.operation !== 'delete'
  );
}
