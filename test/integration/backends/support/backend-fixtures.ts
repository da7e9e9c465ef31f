import type {
  FennFlowBackend,
  FileRecord,
  JournalEntry,
  RecordKey,
  SessionRecord,
} from '../../../../lib';

/** Millisecond-precise instants, so every backend must round-trip them exactly. */
export const T0 = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
export const at = (offsetMs: number): Date => new Date(T0.getTime() + offsetMs);

export function fileRecord(
  fields: Partial<FileRecord> & { path: string },
): FileRecord {
  return {
    namespace: 'files',
    status: 'uploaded',
    sessionId: 'writer',
    operationId: `op-${fields.path}`,
    operation: 'create',
    lockedBy: null,
    size: 5,
    mediaType: 'text/plain',
    etag: 'etag-1',
    metadata: { owner: 'ada', 'x-note': 'ünïcødé 😀' },
    createdAt: T0,
    updatedAt: at(1),
    error: null,
    ...fields,
  };
}

/** A pending row of `session`, as staging writes it. */
export function pendingRecord(
  session: string,
  fields: Partial<FileRecord> & { path: string },
): FileRecord {
  return fileRecord({
    status: 'pending',
    sessionId: session,
    lockedBy: session,
    ...fields,
  });
}

export function journalEntry(
  fields: Partial<JournalEntry> & {
    sessionId: string;
    seq: number;
    path: string;
  },
): JournalEntry {
  return {
    operationId: `${fields.sessionId}-op-${fields.seq}`,
    operation: 'create',
    effect: 'write',
    namespace: 'files',
    restore: 'delete',
    backupPath: null,
    firstTouch: true,
    previous: null,
    state: 'active',
    error: null,
    ...fields,
  };
}

export function sessionRecord(
  id: string,
  leaseExpiresAt: Date,
  fields: Partial<SessionRecord> = {},
): SessionRecord {
  return { id, state: 'open', leaseExpiresAt, createdAt: T0, ...fields };
}

export const keyOf = (record: RecordKey): RecordKey => ({
  namespace: record.namespace,
  path: record.path,
});

/** Writes rows and journal entries through `stage`, the only way the core writes them. */
export async function seed(
  backend: FennFlowBackend,
  records: readonly FileRecord[],
  journal: readonly JournalEntry[] = [],
): Promise<void> {
  await backend.stage(records.map(keyOf), () => ({
    records,
    journal,
    result: undefined,
  }));
}

export async function allVisible(
  backend: FennFlowBackend,
  sessionId: string,
  prefix = '',
  namespace = 'files',
): Promise<string[]> {
  const rows = await backend.listVisible({
    sessionId,
    namespace,
    prefix,
    after: null,
    limit: 10_000,
  });
  return rows.map((r) => r.path);
}

export const quietLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
