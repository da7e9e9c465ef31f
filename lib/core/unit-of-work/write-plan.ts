import { randomUUID } from 'node:crypto';
import type {
  StagingChanges,
  StagingSnapshot,
} from '../backend/fennflow-backend';
import { isVisibleTo, recordKeyOf } from '../backend/file-record';
import type {
  FileRecord,
  OperationType,
  RecordKey,
} from '../backend/file-record';
import type { JournalEntry, StorageRestore } from '../backend/journal-entry';
import {
  FileNotFoundError,
  RecordAlreadyExistsError,
  RecordLockedError,
} from '../errors/fennflow.errors';
import { backupPathFor } from './backup-path';

export interface FileAttributes {
  readonly size: number | null;
  readonly mediaType: string | null;
  readonly metadata: Readonly<Record<string, string>>;
}

/** One path a call wants to change. */
export interface WriteIntent extends RecordKey {
  readonly operation: OperationType;
  readonly effect: 'write' | 'remove';
  /** `absent`: no visible file may be there; `visible`: one must be; `any`: upsert. */
  readonly require: 'absent' | 'visible' | 'any';
  /** With `require: 'visible'`: an invisible path is skipped (delete) instead of an error. */
  readonly skipIfInvisible?: boolean;
  /** Bytes come from this visible file (copy, move); its attributes carry over. */
  readonly source?: RecordKey;
  readonly attributes?: FileAttributes;
}

export interface PlannedStep {
  readonly intent: WriteIntent;
  /** `null` when the intent was skipped (delete of an invisible path). */
  readonly entry: JournalEntry | null;
  readonly record: FileRecord | null;
  /** Write with `If-None-Match`: the key is believed empty. */
  readonly expectEmptyKey: boolean;
  /** The row as it was before this call (null: none), to undo the call alone if its I/O fails. */
  readonly rowBefore: FileRecord | null;
}

/** What the session remembers of its current segment; updated only once a plan is stored. */
export interface SegmentMemory {
  readonly sessionId: string;
  readonly nextSeq: number;
  /** Keys this segment has written to storage already (their restore is owned by an earlier step). */
  readonly writtenKeys: ReadonlySet<string>;
  /** Row of each touched path as it was before the segment (null: none). */
  readonly before: ReadonlyMap<string, FileRecord | null>;
}

export interface WritePlan {
  readonly steps: PlannedStep[];
  readonly nextSeq: number;
}

/**
 * Decides a call's steps from the current rows, or throws before anything is written: another
 * live session's lock, a visible file where none may be, a missing source. Pure: the backend
 * may call it again when it retries its transaction.
 */
export function planWrites(
  intents: readonly WriteIntent[],
  snapshot: StagingSnapshot,
  memory: SegmentMemory,
  now: Date,
): StagingChanges<WritePlan> {
  const { sessionId } = memory;
  for (const intent of intents)
    assertNotLocked(intent, snapshot, sessionId, now);

  let seq = memory.nextSeq;
  const written = new Set(memory.writtenKeys);
  const touched = new Set(memory.before.keys());
  const steps: PlannedStep[] = [];

  for (const intent of intents) {
    const key = recordKeyOf(intent);
    const current = snapshot.records.get(key);
    const visible = isVisibleTo(current, sessionId);

    if (intent.require === 'absent' && visible) {
      throw new RecordAlreadyExistsError(intent.namespace, intent.path);
    }
    if (intent.require === 'visible' && !visible) {
      if (intent.skipIfInvisible) {
        steps.push({
          intent,
          entry: null,
          record: null,
          expectEmptyKey: false,
          rowBefore: current ?? null,
        });
        continue;
      }
      throw new FileNotFoundError(intent.namespace, intent.path);
    }
    let sourceRecord: FileRecord | undefined;
    if (intent.source) {
      sourceRecord = snapshot.records.get(recordKeyOf(intent.source));
      if (!isVisibleTo(sourceRecord, sessionId)) {
        throw new FileNotFoundError(
          intent.source.namespace,
          intent.source.path,
        );
      }
    }

    const firstTouch = !touched.has(key);
    const before = firstTouch
      ? (current ?? null)
      : (memory.before.get(key) ?? null);
    touched.add(key);
    const operationId = randomUUID();

    let restore: StorageRestore = 'none';
    if (intent.effect === 'write' && !written.has(key)) {
      restore = before?.status === 'uploaded' ? 'backup' : 'delete';
      written.add(key);
    }
    const backupPath =
      restore === 'backup'
        ? backupPathFor(sessionId, operationId, intent.path)
        : null;

    const attributes: FileAttributes = intent.attributes ??
      sourceRecord ??
      current ?? {
        size: null,
        mediaType: 'application/octet-stream',
        metadata: {},
      };
    const record: FileRecord = {
      namespace: intent.namespace,
      path: intent.path,
      status: 'pending',
      sessionId,
      operationId,
      operation: intent.effect === 'remove' ? 'delete' : intent.operation,
      lockedBy: sessionId,
      size:
        intent.effect === 'remove' ? (current?.size ?? null) : attributes.size,
      mediaType:
        intent.effect === 'remove'
          ? (current?.mediaType ?? null)
          : attributes.mediaType,
      etag:
        intent.effect === 'remove'
          ? (current?.etag ?? null)
          : (sourceRecord?.etag ?? null),
      metadata: {
        ...(intent.effect === 'remove'
          ? (current?.metadata ?? {})
          : attributes.metadata),
      },
      createdAt: visible && current ? current.createdAt : now,
      updatedAt: now,
      error: null,
    };
    const entry: JournalEntry = {
      sessionId,
      seq: seq++,
      operationId,
      operation: intent.operation,
      effect: intent.effect,
      namespace: intent.namespace,
      path: intent.path,
      restore,
      backupPath,
      firstTouch,
      previous: firstTouch ? (current ?? null) : null,
      state: 'active',
      error: null,
    };
    steps.push({
      intent,
      entry,
      record,
      expectEmptyKey: restore === 'delete',
      rowBefore: current ?? null,
    });
  }

  return {
    records: steps.flatMap((s) => (s.record ? [s.record] : [])),
    journal: steps.flatMap((s) => (s.entry ? [s.entry] : [])),
    result: { steps, nextSeq: seq },
  };
}

/** Thrown inside planning when the lock holder's lease ran out; the session recovers it first. */
export class ExpiredLockError extends RecordLockedError {
  constructor(namespace: string, path: string, lockedBy: string) {
    super(namespace, path, lockedBy);
  }
}

function assertNotLocked(
  intent: WriteIntent,
  snapshot: StagingSnapshot,
  sessionId: string,
  now: Date,
): void {
  const record = snapshot.records.get(recordKeyOf(intent));
  if (!record?.lockedBy) return;
  if (record.lockedBy === sessionId) {
    // A path whose compensation failed stays blocked until a retry restores it.
    if (record.status === 'compensation_failed') {
      throw new RecordLockedError(intent.namespace, intent.path, sessionId);
    }
    return;
  }
  const holder = snapshot.lockHolders.get(record.lockedBy);
  if (holder && holder.leaseExpiresAt.getTime() < now.getTime()) {
    throw new ExpiredLockError(intent.namespace, intent.path, record.lockedBy);
  }
  if (!holder) {
    // The holder's session row is gone (ended without releasing): the lock is stale.
    throw new ExpiredLockError(intent.namespace, intent.path, record.lockedBy);
  }
  throw new RecordLockedError(intent.namespace, intent.path, record.lockedBy);
}
