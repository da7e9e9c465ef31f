import type { FennFlowBackend } from '../backend/fennflow-backend';
import { recordKeyOf } from '../backend/file-record';
import type { FileRecord } from '../backend/file-record';
import type { JournalEntry } from '../backend/journal-entry';
import type { FennFlowConnector } from '../connector/fennflow-connector';
import { restoreKey } from './compensate-session';
import type { FennFlowLogger } from './fennflow-logger';
import { removeObjectsQuietly } from './remove-objects';
import { failedRecord } from './failed-record';
import type { PlannedStep } from './write-plan';

export interface UndoCallInput {
  readonly backend: FennFlowBackend;
  readonly connector: FennFlowConnector;
  readonly sessionId: string;
  readonly steps: readonly PlannedStep[];
  /** Steps whose I/O failed; the others completed. */
  readonly failed: ReadonlySet<PlannedStep>;
  /** Journal steps appended while the call ran (restore corrections). */
  readonly corrections: readonly JournalEntry[];
  readonly logger: FennFlowLogger;
}

export interface UndoneCall {
  /** Keys fully put back and forgotten: the session no longer holds any step on them. */
  readonly forgottenKeys: ReadonlySet<string>;
  /** Keys whose write failed before overwriting: their restore is owned by no step any more. */
  readonly unwrittenKeys: ReadonlySet<string>;
  /** Paths whose steps had to stay in the journal; the session must not commit them. */
  readonly unsettled: number;
}

interface KeyGroup {
  readonly step: PlannedStep;
  readonly entries: JournalEntry[];
  writeFailed: boolean;
}

/**
 * Undoes one repository call whose storage I/O failed, so that the session is as it was before
 * the call and can go on. Uploads are atomic, so a failed write left its key as it was; a key
 * that was written by the call is restored like a rollback would. What cannot be put back (a
 * restore that fails, or a key the session had written before this call and that this call
 * overwrote) keeps its journal steps, stays locked, and is left for the session's rollback.
 */
export async function undoCall(input: UndoCallInput): Promise<UndoneCall> {
  const { backend, connector, sessionId, logger } = input;
  const groups = new Map<string, KeyGroup>();
  for (const step of input.steps) {
    if (!step.entry) continue;
    const key = recordKeyOf(step.entry);
    const group = groups.get(key) ?? { step, entries: [], writeFailed: false };
    group.entries.push(step.entry);
    if (input.failed.has(step) && step.entry.effect === 'write')
      group.writeFailed = true;
    groups.set(key, group);
  }
  for (const entry of input.corrections)
    groups.get(recordKeyOf(entry))?.entries.push(entry);

  const now = new Date();
  const rows: FileRecord[] = [];
  const settled: string[] = [];
  const backups: { namespace: string; key: string }[] = [];
  const forgottenKeys = new Set<string>();
  const unwrittenKeys = new Set<string>();
  let unsettled = 0;

  for (const [key, group] of groups) {
    const { step, entries } = group;
    entries.sort((a, b) => a.seq - b.seq);
    const decisive = [...entries].reverse().find((e) => e.restore !== 'none');
    const wrote = entries.some((e) => e.effect === 'write');
    const before =
      step.rowBefore ??
      failedRecord(
        entries[0],
        sessionId,
        now,
        'the write failed and was undone',
      );

    if (wrote && !decisive && !group.writeFailed) {
      // Overwrote bytes the session had written earlier: no backup of those, keep the new row.
      unsettled++;
      continue;
    }
    let restoredEtag: string | undefined;
    try {
      restoredEtag = decisive
        ? (await restoreKey(connector, decisive))?.etag
        : undefined;
    } catch (error) {
      unsettled++;
      logger.warn(
        `Undoing a failed call on '${step.intent.path}' in '${step.intent.namespace}' failed; left to rollback: ${String(error)}`,
      );
      if (group.writeFailed) {
        // The upload failed, so the key still holds what it held: show that, keep the lock.
        rows.push({ ...before, lockedBy: sessionId });
        unwrittenKeys.add(key);
      }
      continue;
    }
    rows.push(
      restoredEtag && step.rowBefore
        ? { ...before, etag: restoredEtag }
        : before,
    );
    for (const entry of entries) {
      settled.push(entry.operationId);
      if (entry.backupPath)
        backups.push({ namespace: entry.namespace, key: entry.backupPath });
    }
    if (entries.some((e) => e.firstTouch)) forgottenKeys.add(key);
    else if (decisive) unwrittenKeys.add(key);
  }

  // Backups go before the journal steps that name them (see compensateSession).
  await removeObjectsQuietly(connector, backups, logger);
  if (rows.length > 0 || settled.length > 0) {
    await backend.applyRollback(sessionId, {
      records: rows,
      settledOperationIds: settled,
      failedSteps: [],
    });
  }
  return { forgottenKeys, unwrittenKeys, unsettled };
}
