import type { FileRecord, OperationType } from './file-record';

/**
 * How to bring a storage key back to its state before the session:
 * - `none`: an earlier step of the session already owns the key's restore, or nothing was written;
 * - `delete`: the key held no file before the session;
 * - `backup`: the key held a file; it is copied to `backupPath` before it is overwritten.
 */
export type StorageRestore = 'none' | 'delete' | 'backup';

export type JournalState = 'active' | 'compensation_failed';

/** One step of a session, written to the backend before its storage I/O (intent before I/O). */
export interface JournalEntry {
  readonly sessionId: string;
  /** Order of registration within the session; compensation walks it backwards. */
  readonly seq: number;
  readonly operationId: string;
  readonly operation: OperationType;
  /** What the step does to its path: writes bytes there, or removes the file (deferred to commit). */
  readonly effect: 'write' | 'remove';
  readonly namespace: string;
  readonly path: string;
  readonly restore: StorageRestore;
  readonly backupPath: string | null;
  /** First step of the session on this path: the row as it was before (null: no row). */
  readonly firstTouch: boolean;
  readonly previous: FileRecord | null;
  readonly state: JournalState;
  readonly error: string | null;
}
