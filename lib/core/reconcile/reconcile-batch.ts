import { randomUUID } from 'node:crypto';
import type {
  StagingChanges,
  StagingSnapshot,
} from '../backend/fennflow-backend';
import { recordKeyOf } from '../backend/file-record';
import type { FileRecord } from '../backend/file-record';
import { mediaTypeFromFilename } from '../content/media-types';
import type { JoinedEntry } from './sorted-streams';
import type { ReconcileStrategy } from './reconcile.config';

/** `sessionId` of every row the reconciler writes; no unit of work ever has this id. */
export const RECONCILER_SESSION_ID = 'reconciler';

export interface BatchContext {
  readonly namespace: string;
  readonly strategy: ReconcileStrategy;
  readonly now: Date;
  /**
   * The millisecond the run began; every listing happens in a later one. Rows written after it
   * are left alone: they may come from a commit that landed after the listing passed their key,
   * so the listing is no evidence about them.
   */
  readonly startedAt: number;
}

export interface BatchCounts {
  inserted: number;
  updated: number;
  removed: number;
  skippedLocked: number;
  unchanged: number;
}

/**
 * Decides one batch from the current rows, inside the backend transaction that writes it, so a
 * row locked by a session between the listing and the write is never touched. Pure apart from
 * fresh operation ids: the backend may call it again when it retries.
 */
export function planReconcileBatch(
  entries: readonly JoinedEntry[],
  snapshot: StagingSnapshot,
  context: BatchContext,
): StagingChanges<BatchCounts> {
  const counts: BatchCounts = {
    inserted: 0,
    updated: 0,
    removed: 0,
    skippedLocked: 0,
    unchanged: 0,
  };
  const records: FileRecord[] = [];
  for (const entry of entries) {
    const current = snapshot.records.get(
      recordKeyOf({ namespace: context.namespace, path: entry.key }),
    );
    if (current && isHeld(current)) {
      counts.skippedLocked++;
      continue;
    }
    if (entry.object) {
      const object = entry.object;
      if (
        !current ||
        (context.strategy === 'fill-if-empty' && current.status === 'failed')
      ) {
        records.push(importedRecord(context, entry.key, object, null));
        counts.inserted++;
      } else if (
        context.strategy !== 'replace' ||
        current.updatedAt.getTime() > context.startedAt ||
        (current.status === 'uploaded' &&
          current.size === object.size &&
          current.etag === object.etag)
      ) {
        counts.unchanged++;
      } else {
        records.push(importedRecord(context, entry.key, object, current));
        counts.updated++;
      }
      continue;
    }
    // A committed row whose object was not listed (`replace` only). Remove it only if it is
    // still the very row seen, written before the run began.
    const seen = entry.record;
    if (
      !current ||
      !seen ||
      current.status !== 'uploaded' ||
      current.operationId !== seen.operationId ||
      current.updatedAt.getTime() > context.startedAt
    ) {
      counts.unchanged++;
      continue;
    }
    records.push({
      ...current,
      metadata: { ...current.metadata },
      status: 'deleted',
      operation: 'delete',
      sessionId: RECONCILER_SESSION_ID,
      operationId: randomUUID(),
      lockedBy: null,
      updatedAt: context.now,
      error: null,
    });
    counts.removed++;
  }
  return { records, journal: [], result: counts };
}

/** Pending work of a session, a commit awaiting cleanup, or a failed compensation. */
function isHeld(record: FileRecord): boolean {
  return (
    record.lockedBy !== null ||
    record.status === 'pending' ||
    record.status === 'compensation_failed'
  );
}

function importedRecord(
  context: BatchContext,
  path: string,
  object: { readonly size: number; readonly etag: string },
  previous: FileRecord | null,
): FileRecord {
  return {
    namespace: context.namespace,
    path,
    status: 'uploaded',
    sessionId: RECONCILER_SESSION_ID,
    operationId: randomUUID(),
    operation: 'put',
    lockedBy: null,
    size: object.size,
    // A listing carries no media type, and one HEAD per object would multiply the cost of a
    // run by the bucket size; the name is the best cheap guess.
    mediaType: mediaTypeFromFilename(path) ?? 'application/octet-stream',
    etag: object.etag,
    metadata: {},
    createdAt:
      previous?.status === 'uploaded' ? previous.createdAt : context.now,
    updatedAt: context.now,
    error: null,
  };
}
